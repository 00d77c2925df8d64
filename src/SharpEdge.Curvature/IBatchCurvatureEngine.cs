using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Curvature;

/// <summary>
/// Minibatch curvature off the CPU engine (the GPU engine of SharpEdge.Gpu over a batch-sized buffer): when
/// <see cref="Measurements.MeasurementContext{T}.BatchEngine"/> is set, batch sharpness (and its Gauss-Newton form)
/// evaluates its Monte-Carlo batches here, one at a time, on the same batches the CPU workers would draw.
/// </summary>
public interface IBatchCurvatureEngine<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>θ for the batches that follow (uploaded once per measurement, not per batch).</summary>
    void SetParameters(ReadOnlySpan<double> theta);

    /// <summary>
    /// (g_Bᵀ H_B g_B, ‖g_B‖²) of the mean loss over <paramref name="batch"/> at the θ set last; with
    /// <paramref name="gaussNewton"/> (g_Bᵀ G_B g_B, ‖g_B‖²), G_B the batch's Gauss-Newton matrix.
    /// </summary>
    (double Curvature, double NormSquared) CurvatureAlongGradient(Samples<T> batch, bool gaussNewton = false);
}
