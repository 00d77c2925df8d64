namespace SharpEdge.Curvature;

/// <summary>
/// Something other than the CPU engine that holds the full-data loss and applies its Hessian (the GPU engine of
/// SharpEdge.Gpu): <see cref="Measurements.MeasurementContext{T}"/> hands it the eigen-measurements of H
/// (λ_max, top-k, the gradient projection's eigenvectors) when one is set.
/// </summary>
public interface IHessianEngine
{
    /// <summary>Linearizes the loss at <paramref name="theta"/> and returns its Hessian there, as an operator.</summary>
    ILinearOperator LinearizedHessian(ReadOnlySpan<double> theta);
}
