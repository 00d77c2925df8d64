using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Fisher / NTK top eigenvalue (2/n)·λ_max(J Jᵀ) over all n samples (eoss_spec §7.9, HEAD's fisher_total),
/// computed on the output-space kernel <see cref="NeuralTangentKernelOperator{T}"/> of size n·C, so it works for
/// any number of outputs C (the original only for C = 1). The normalisation 2/n is the original's: the value
/// is λ_max of the MSE Gauss-Newton matrix (2/n) JᵀJ whatever the training loss (for cross-entropy it is not the
/// CE Gauss-Newton, which <see cref="GaussNewtonLambdaMax"/> measures). Exact up to the solver tolerance,
/// warm-started from the previous call. Cost: the solver's products, each one backward and one R-forward over
/// all n samples on the cached linearization.
/// </summary>
public sealed class FisherLambdaMax : IMeasurement
{
    public string Name => "fisher-lambda-max";
    public string Summary => "(2/n) λ_max(J Jᵀ): NTK / Fisher top eigenvalue over all samples, any output size";
    public MeasurementNeeds Needs => MeasurementNeeds.None;
    public Cadence Cadence => Cadence.Every(256, 128).Times(2, 10_000).Times(2, 20_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (result, shared) = context.TopEigenpairs(EigenvectorCache.NeuralTangentKernel, () => new NeuralTangentKernelOperator<T>(context.Curvature), 1);
        return MeasurementResult.FromEigenpairs(Name, result, shared, scale: 2.0 / context.Curvature.Data.Count);
    }
}
