using SharpEdge.Curvature.Measurements;

namespace SharpEdge.Training;

/// <summary>
/// The mutable state of a training run between steps: θ, the optimiser with its buffers, the eigensolvers'
/// warm starts, the step, the current epoch's loss accumulators, the noise generator of noisy GD and the SDE, the
/// anchor of quadratic dynamics and the eigenvectors of projected SGD.
/// A <see cref="Checkpoint"/> is a copy of it.
/// </summary>
public sealed class TrainingState
{
    public TrainingState(float[] theta, Optimizer<float> optimizer, EigenvectorCache? warmStart = null)
    {
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (theta.Length != optimizer.ParameterCount) throw new ArgumentException($"θ has {theta.Length} values, the optimizer {optimizer.ParameterCount}");
        Theta = theta;
        Optimizer = optimizer;
        WarmStart = warmStart ?? new EigenvectorCache();
    }

    public float[] Theta { get; }
    public Optimizer<float> Optimizer { get; }
    public EigenvectorCache WarmStart { get; }

    /// <summary>The next step to take (= updates taken so far).</summary>
    public long Step { get; set; }
    public double EpochLossSum { get; set; }
    public long EpochLossCount { get; set; }
    /// <summary>Training wall time of the run before the current process took it up.</summary>
    public double Seconds { get; set; }
    /// <summary>The noise generator of noisy GD and the SDE; null for minibatch training.</summary>
    public NoiseState? Noise { get; set; }
    /// <summary>Quadratic dynamics from its first model step on: θ_s and δ; null before (and for other runs).</summary>
    public TaylorAnchor? Quadratic { get; set; }
    /// <summary>Projected SGD from its switch step on: the top-l eigenvectors in use; null before (and for other runs).</summary>
    public ProjectionBasis? Projection { get; set; }

    /// <summary>A checkpoint of this state (buffers are not copied: write it before the next step).</summary>
    public Checkpoint ToCheckpoint(CheckpointKind kind, int batchSize, double seconds) => new()
    {
        Step = Step,
        Kind = kind,
        Theta = Theta,
        OptimizerName = Optimizer.Name,
        OptimizerSteps = Optimizer.Steps,
        OptimizerState = Optimizer.State,
        WarmStart = WarmStart.Entries,
        EpochLossSum = EpochLossSum,
        EpochLossCount = EpochLossCount,
        BatchSize = batchSize,
        Seconds = seconds,
        NoiseSeed = Noise?.Seed,
        NoiseGenerator = Noise?.Rng.GetState(),
        NoiseVariance = Noise?.Variance,
        NoiseVarianceStep = Noise?.VarianceStep ?? -1,
        Quadratic = Quadratic,
        Projection = Projection,
    };

    /// <summary>
    /// The state saved in <paramref name="checkpoint"/> with <paramref name="optimizer"/>, which takes the saved
    /// buffers and step count when they are of its kind (the same named buffers). A resumed run requires that; a
    /// fork that changes the optimiser starts it afresh (<paramref name="requireOptimizerState"/> false). The epoch
    /// loss accumulators carry over only at the batch size they were summed at. A run with noise
    /// (<paramref name="noiseSeed"/> given) continues the checkpoint's noise generator when it was seeded alike, else
    /// starts one from the seed (a resumed run requires the saved one); kept noise variances carry over only on resume.
    /// Quadratic dynamics switching at <paramref name="quadraticSwitch"/> takes the checkpoint's anchor when it was taken
    /// at or after that step (else a run past the switch anchors at the checkpoint's θ, as the original's continuation); projected
    /// SGD with <paramref name="projectionRank"/> eigenvectors takes the checkpoint's basis of that rank. A resumed run past
    /// its switch step requires them.
    /// </summary>
    public static TrainingState FromCheckpoint(Checkpoint checkpoint, Optimizer<float> optimizer, int batchSize, bool requireOptimizerState, ulong? noiseSeed = null,
        long? quadraticSwitch = null, long? projectionSwitch = null, int projectionRank = 0)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(optimizer);
        var state = new TrainingState((float[])checkpoint.Theta.Clone(), optimizer) { Step = checkpoint.Step };
        if (CarriesOptimizerState(checkpoint, optimizer)) optimizer.Restore(checkpoint.OptimizerState, checkpoint.OptimizerSteps);
        else if (requireOptimizerState)
            throw new InvalidDataException($"the checkpoint holds the state of optimizer '{checkpoint.OptimizerName}' ({string.Join(", ", checkpoint.OptimizerState.Keys)}), " +
                                           $"the run's optimizer '{optimizer.Name}' needs {(optimizer.State.Count > 0 ? string.Join(", ", optimizer.State.Keys) : "none")}");
        foreach (var (key, vectors) in checkpoint.WarmStart) state.WarmStart.Store(key, [.. vectors.Select(v => (double[])v.Clone())]);
        if (noiseSeed is { } seed)
        {
            bool carried = checkpoint.NoiseSeed == seed && checkpoint.NoiseGenerator is not null;
            if (!carried && requireOptimizerState)
                throw new InvalidDataException($"the checkpoint of step {checkpoint.Step} holds no state of a noise generator seeded {seed}, which the run needs to continue");
            state.Noise = new NoiseState(seed, carried ? checkpoint.NoiseGenerator : null);
            if (carried && requireOptimizerState && checkpoint.NoiseVariance is { } variance)
            {
                state.Noise.Variance = (double[])variance.Clone();
                state.Noise.VarianceStep = checkpoint.NoiseVarianceStep;
            }
        }
        if (quadraticSwitch is { } s)
        {
            // an anchor at or after s is this model's (taken at s, or where a run forked past s anchored); one before s is another's
            if (checkpoint.Quadratic is { } a && a.Step >= s) state.Quadratic = a.Clone();
            else if (requireOptimizerState && checkpoint.Step > s)
                throw new InvalidDataException($"the checkpoint of step {checkpoint.Step} holds no anchor of quadratic dynamics switched at step {s}, which the run needs to continue");
        }
        if (projectionSwitch is { } p)
        {
            if (checkpoint.Projection is { } basis && basis.Rank == projectionRank) state.Projection = basis.Clone();
            else if (requireOptimizerState && checkpoint.Step > p)
                throw new InvalidDataException($"the checkpoint of step {checkpoint.Step} holds no top-{projectionRank} projection basis, which the run needs to continue");
        }
        if (checkpoint.BatchSize == batchSize)
        {
            state.EpochLossSum = checkpoint.EpochLossSum;
            state.EpochLossCount = checkpoint.EpochLossCount;
        }
        return state;
    }

    /// <summary>Whether the optimiser took over the checkpoint's buffers (see <see cref="FromCheckpoint"/>).</summary>
    public static bool CarriesOptimizerState(Checkpoint checkpoint, Optimizer<float> optimizer) =>
        optimizer.State.Keys.Order(StringComparer.Ordinal).SequenceEqual(checkpoint.OptimizerState.Keys.Order(StringComparer.Ordinal));
}
