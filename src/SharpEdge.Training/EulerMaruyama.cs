using SharpEdge.Nn;

namespace SharpEdge.Training;

/// <summary>
/// The SDE baseline (eoss_spec §10.2): dθ = −∇L dt + √η (Σ/b)^{1/2} dW integrated over time η per training step by
/// Euler–Maruyama sub-steps θ ← θ − h ∇L(θ) + √(ηh) ζ, ζ one draw of sgd <see cref="GradientNoise"/> at θ (covariance
/// m²Σ/b). Over a step the noise covariance is η²Σ/b, that of one SGD step with replacement. θ is set directly: the
/// optimiser is not used, as in the original.
/// </summary>
/// <remarks>
/// The original runs ⌊η/h⌋ sub-steps of h (so a step covers less time than η when h does not divide it, e.g.
/// 0.03/0.01 = 2.9999…); here a step takes K = ⌈η/h⌉ sub-steps of exactly η/K, the same as the original whenever h
/// divides η. The step's loss is L(θ_t) at the first sub-step (the original returns the last sub-step's).
/// </remarks>
public sealed class EulerMaruyama : UpdateRule
{
    private readonly Objective<float> full;
    private readonly float[] gradient;
    private readonly float[] noise;
    private readonly int[] everySample;

    public EulerMaruyama(Objective<float> full, GradientNoise noise, double eta, double h)
    {
        ArgumentNullException.ThrowIfNull(full);
        ArgumentNullException.ThrowIfNull(noise);
        if (noise.Model != NoiseModel.Sgd) throw new ArgumentException($"the SDE's diffusion is the SGD noise, got the {noise.Model} model");
        if (!(eta > 0) || !double.IsFinite(eta)) throw new ArgumentException($"η must be positive and finite, got {eta}");
        if (!(h > 0) || h > eta * (1 + 1e-12)) throw new ArgumentException($"the sub-step h must be in (0, η = {eta}], got {h}");
        this.full = full;
        Noise = noise;
        Eta = eta;
        SubSteps = Math.Max(1, (int)Math.Ceiling(eta / h * (1 - 1e-12)));   // 1e-12: η/h a hair above an integer is that integer
        SubStep = eta / SubSteps;
        gradient = new float[full.ParameterCount];
        this.noise = new float[full.ParameterCount];
        everySample = [.. Enumerable.Range(0, full.Data.Count)];
    }

    public GradientNoise Noise { get; }
    /// <summary>Time per training step, and the diffusion's η.</summary>
    public double Eta { get; }
    public int SubSteps { get; }
    /// <summary>The sub-step η/K.</summary>
    public double SubStep { get; }

    public override double Evaluate(TrainingState state, long step) => full.Linearize(state.Theta, gradient);

    public override void Apply(TrainingState state, long step)
    {
        var theta = state.Theta;
        var h = (float)SubStep;
        var diffusion = (float)Math.Sqrt(Eta * SubStep);
        for (int k = 0; k < SubSteps; k++)
        {
            if (k > 0) full.Linearize(theta, gradient);
            Noise.Sample(theta, gradient, step, NoiseOf(state), noise);
            for (int j = 0; j < theta.Length; j++)
            {
                theta[j] -= h * gradient[j];   // as SGD's update, so that zero diffusion with h = η is GD bit for bit
                theta[j] += diffusion * noise[j];
            }
        }
    }

    /// <summary>Every sample: the drift is the full-data gradient.</summary>
    public override int[] TrainingBatch(long step) => everySample;
}
