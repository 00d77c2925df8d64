namespace SharpEdge.Curvature;

/// <summary>
/// Something other than the CPU engine that holds the full-data loss and applies its Hessian (the GPU engine of
/// SharpEdge.Gpu): <see cref="Measurements.MeasurementContext{T}"/> hands it the eigen-measurements of H
/// (λ_max, top-k, the gradient projection's eigenvectors) and of the Gauss-Newton matrix G (gn-lambda-max) when one
/// is set (<see cref="Measurements.EngineMeasurements"/>).
/// </summary>
public interface IHessianEngine
{
    /// <summary>Linearizes the loss at <paramref name="theta"/> and returns its Hessian there, as an operator.</summary>
    ILinearOperator LinearizedHessian(ReadOnlySpan<double> theta);

    /// <summary>
    /// Linearizes the loss at <paramref name="theta"/> and returns its generalised Gauss-Newton matrix there,
    /// G = Jᵀ ∇²_z L J, as an operator.
    /// </summary>
    ILinearOperator LinearizedGaussNewton(ReadOnlySpan<double> theta);
}
