using System.Numerics;
using System.Numerics.Tensors;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Momentum batch sharpness E_B[sᵀ H_B s / sᵀ g_B] with s = g_B + μv the direction a heavy-ball step takes,
/// v the optimiser's momentum buffer and μ the momentum (eoss_spec §7.14). Without a buffer (v = 0, as at the
/// first step) it equals batch sharpness. Mean of ratios; a draw with sᵀg_B ≤ 10⁻¹²·‖s‖‖g_B‖ in magnitude
/// (s nearly orthogonal to g_B) is skipped but counted, as HEAD skips |sᵀg_B| &lt; 10⁻¹² (our threshold is
/// relative, so it means the same in float32 and at any scale). Stops like HEAD: at least 20, at most 1000
/// samples, relative SE 0.5 %. Cost per sample: one batch gradient and one batch quadratic form sᵀH_Bs, in
/// parallel over workers.
/// </summary>
public sealed class MomentumBatchSharpness : IMeasurement
{
    public static readonly StoppingRule DefaultStopping = new(20, 1000, 0.005);

    public string Name => "momentum-batch-sharpness";
    public string Summary => "E_B[sᵀ H_B s / sᵀ g_B], s = g_B + μv (v: momentum buffer)";
    public MeasurementNeeds Needs => MeasurementNeeds.BatchSize;
    public Cadence Cadence => Cadence.Every(128).Times(2, 10_000).Times(2, 50_000).Times(2, 100_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = context.Stopping(DefaultStopping);
        var theta = context.Theta;
        var buffer = context.MomentumBuffer;
        var mu = T.CreateTruncating(context.Momentum);
        var stream = context.Sampler.Stream((worker, _, values) =>
        {
            var g = worker.Gradient;
            var s = worker.Direction;
            worker.Objective.Linearize(theta, g);
            if (buffer.IsEmpty) g.CopyTo(s);
            else TensorPrimitives.MultiplyAdd<T>(buffer.Span, mu, g, s);
            double denominator = MeasurementContext<T>.Dot(s, g);
            double scale = Math.Sqrt(MeasurementContext<T>.Dot(s, s) * MeasurementContext<T>.Dot(g, g));
            values[0] = Math.Abs(denominator) > 1e-12 * scale ? worker.Objective.QuadraticForm(s) : double.NaN;
            values[1] = denominator;
        }, 2, rule.MaxSamples);
        var estimate = MonteCarlo.MeanOfRatios(stream.Pair, rule);
        var details = new Dictionary<string, object> { ["momentum"] = context.Momentum, ["momentum_buffer"] = !buffer.IsEmpty };
        return new MeasurementResult(Name, estimate with { Products = stream.Evaluated }, details: details);
    }
}
