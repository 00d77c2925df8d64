using SharpEdge.Nn;

namespace SharpEdge.Training;

/// <summary>
/// Noisy GD (eoss_spec §10.1): every step takes the full-data gradient g = ∇L(θ_t) plus one draw of
/// <see cref="GradientNoise"/> and hands g + noise to the optimiser, as the original adds its noise to <c>.grad</c>
/// before <c>optimizer.step()</c>. The step's loss is the full loss L(θ_t) (the original's sgd model logs the
/// sample-weighted, noisy loss instead). The noise is drawn in <see cref="Apply"/>, so a step that diverges draws none.
/// </summary>
public sealed class NoisyGradientDescent : UpdateRule
{
    private readonly Objective<float> full;
    private readonly float[] gradient;
    private readonly float[] noise;
    private readonly int[] everySample;

    public NoisyGradientDescent(Objective<float> full, GradientNoise noise)
    {
        ArgumentNullException.ThrowIfNull(full);
        ArgumentNullException.ThrowIfNull(noise);
        this.full = full;
        Noise = noise;
        gradient = new float[full.ParameterCount];
        this.noise = new float[full.ParameterCount];
        everySample = [.. Enumerable.Range(0, full.Data.Count)];
    }

    public GradientNoise Noise { get; }

    public override double Evaluate(TrainingState state, long step) => full.Linearize(state.Theta, gradient);

    public override void Apply(TrainingState state, long step)
    {
        Noise.Sample(state.Theta, gradient, step, NoiseOf(state), noise);
        for (int j = 0; j < gradient.Length; j++) gradient[j] += noise[j];
        state.Optimizer.Step(state.Theta, gradient);
    }

    /// <summary>Every sample: a GD step's batch is the data set.</summary>
    public override int[] TrainingBatch(long step) => everySample;
}
