using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// A measurement of a parameter-space operator that also has a meaning on the operator's restriction P_bᵀ A P_b
/// to one parameter tensor b (<see cref="RestrictedOperator"/>): the diagonal block of the Hessian that couples
/// one layer's weights with themselves. λ_max, top-k and the trace have one; <see cref="PerLayerMeasurements"/>
/// takes them for every tensor of the model.
/// </summary>
public interface IBlockMeasurement : IMeasurement
{
    /// <summary>The measurement of the restriction to <paramref name="block"/>, at the context's θ.</summary>
    MeasurementResult MeasureBlock<T>(MeasurementContext<T> context, ParameterBlock block) where T : unmanaged, IFloatingPointIeee754<T>;
}
