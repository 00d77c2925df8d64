using SharpEdge.Curvature;

namespace SharpEdge.Gpu.Curvature;

/// <summary>
/// The full-data Hessian of a <see cref="DeviceMlp{T}"/> at its last linearization, or with <paramref name="gaussNewton"/>
/// its Gauss-Newton matrix, as an operator for the solvers and estimators of SharpEdge.Curvature: each product uploads
/// v, runs the passes on the device and downloads the image.
/// </summary>
public sealed class DeviceCurvatureOperator<T>(DeviceMlp<T> mlp, bool gaussNewton) : ILinearOperator
    where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    public int Size => mlp.ParameterCount;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        if (gaussNewton) mlp.GaussNewtonVectorProduct(v, result);
        else mlp.HessianVectorProduct(v, result);
    }
}
