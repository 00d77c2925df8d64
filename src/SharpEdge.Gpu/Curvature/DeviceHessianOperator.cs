using SharpEdge.Curvature;

namespace SharpEdge.Gpu.Curvature;

/// <summary>
/// The full-data Hessian of a <see cref="DeviceMlp{T}"/> at its last linearization, as an operator for the solvers and
/// estimators of SharpEdge.Curvature: each product uploads v, runs the R-passes on the device and downloads H·v.
/// </summary>
public sealed class DeviceHessianOperator<T>(DeviceMlp<T> mlp) : ILinearOperator where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    public int Size => mlp.ParameterCount;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        mlp.HessianVectorProduct(v, result);
    }
}
