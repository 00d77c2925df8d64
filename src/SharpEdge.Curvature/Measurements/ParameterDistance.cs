using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// ‖θ − θ₀‖₂, the distance travelled from the initial parameters (eoss_spec §7.10), summed in float64. The seed
/// code always raises and HEAD raises NotImplementedError (§15.1.8); here θ₀ must be given (no silent default
/// to the zero vector). Exact; no products.
/// </summary>
public sealed class ParameterDistance : IMeasurement
{
    public string Name => "parameter-distance";
    public string Summary => "‖θ − θ₀‖ from the initial parameters";
    public MeasurementNeeds Needs => MeasurementNeeds.InitialParameters;
    public Cadence Cadence => Cadence.Every(1);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (context.InitialParameters.IsEmpty) throw new InvalidOperationException($"{Name} needs the initial parameters θ₀");
        var theta = context.Theta.Span;
        var initial = context.InitialParameters.Span;
        double sum = 0;
        for (int i = 0; i < theta.Length; i++)
        {
            double d = double.CreateTruncating(theta[i]) - double.CreateTruncating(initial[i]);
            sum += d * d;
        }
        return new MeasurementResult(Name, Estimate.Exact(Math.Sqrt(sum)));
    }
}
