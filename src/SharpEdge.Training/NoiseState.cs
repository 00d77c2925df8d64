using SharpEdge.Numerics;

namespace SharpEdge.Training;

/// <summary>
/// The random state of noisy GD and the SDE, carried from step to step and saved in every checkpoint: the noise
/// generator (seeded with <see cref="TrainingConfig.NoiseSeed"/>) and, for the diag and iso models, the per-sample
/// gradient variances of the last refresh with the step they were computed at.
/// </summary>
public sealed class NoiseState
{
    public NoiseState(ulong seed, RngState? generator = null)
    {
        Seed = seed;
        Rng = generator is { } state ? new Rng(state) : new Rng(seed);
    }

    /// <summary>The seed the generator started from (a fork continues the parent's stream only under the same seed).</summary>
    public ulong Seed { get; }
    public Rng Rng { get; }

    /// <summary>Per-coordinate variances of the per-sample gradients (diag: P values; iso: their mean, one value); null until computed.</summary>
    public double[]? Variance { get; set; }

    /// <summary>The step <see cref="Variance"/> was computed at.</summary>
    public long VarianceStep { get; set; } = -1;
}
