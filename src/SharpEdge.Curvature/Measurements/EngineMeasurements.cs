using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Which measurements a device engine takes over (<see cref="MeasurementContext{T}.HessianEngine"/>,
/// <see cref="MeasurementContext{T}.BatchEngine"/>): only these need one built, since an engine holds its samples on
/// the device.
/// </summary>
public static class EngineMeasurements
{
    /// <summary>The measurements that solve on <see cref="MeasurementContext{T}.HessianEngine"/> when one is set, for messages.</summary>
    public const string HessianEngineNames = "lambda-max, top-k, gradient-projection, gn-lambda-max, trace";

    /// <summary>The measurements that evaluate their batches on <see cref="MeasurementContext{T}.BatchEngine"/> when one is set, for messages.</summary>
    public static string BatchEngineNames =>
        $"gn-batch-sharpness, and batch-sharpness and batch-sharpness-ratio-of-means for batches over {Objective<float>.GramBatchLimit}";

    /// <summary>
    /// True for the measurements that solve through <see cref="MeasurementContext{T}.HessianEigenpairs"/> or
    /// <see cref="MeasurementContext{T}.GaussNewtonEigenpairs"/>, or take products from <see cref="MeasurementContext{T}.EngineHessian"/>
    /// (the trace), and so run on the Hessian engine when one is set.
    /// </summary>
    public static bool TakesHessianEngine(IMeasurement measurement) => measurement is LambdaMax or TopK or GradientProjection or GaussNewtonLambdaMax or HessianTrace;

    /// <summary>
    /// True for the measurements that take their batches from the batch engine when one is set (see
    /// <see cref="MeasurementContext{T}.CurvatureAlongGradientStream"/>): the Gauss-Newton batch sharpness always, the
    /// Hessian's two forms only where the CPU workers have no Gram path (<paramref name="gramPath"/>, see <see cref="CpuHasGramPath"/>).
    /// </summary>
    public static bool TakesBatchEngine(IMeasurement measurement, bool gramPath) =>
        measurement is GaussNewtonBatchSharpness || (!gramPath && measurement is BatchSharpness or BatchSharpnessRatioOfMeans);

    /// <summary>True for batch sharpness in the Hessian's forms where the CPU workers keep it although a batch engine is set (<paramref name="gramPath"/>).</summary>
    public static bool StaysOnCpuWorkers(IMeasurement measurement, bool gramPath) =>
        gramPath && measurement is BatchSharpness or BatchSharpnessRatioOfMeans;

    /// <summary>
    /// True where the CPU workers take g_Bᵀ H_B g_B and ‖g_B‖² of a batch from its B×B Gram matrices
    /// (<see cref="Objective{T}.CurvatureAlongGradient"/>: MLPs, batches up to <see cref="Objective{T}.GramBatchLimit"/>),
    /// about one forward pass per batch. Batch sharpness then stays on the CPU even with a GPU engine, which forms g_B and
    /// H_B g_B one batch at a time: on an H100 node (fmnist-mini, the EoSS mlp, batch 8, 3,000 batches) the GPU took
    /// 2.0 s, the node's 16 cores 0.30 s, and 2 cores here 0.59 s.
    /// </summary>
    public static bool CpuHasGramPath<T>(Network<T> network, int batchSize) where T : unmanaged, IFloatingPointIeee754<T> =>
        network.HasOuterProductGradients && batchSize <= Objective<T>.GramBatchLimit;

    /// <summary>The log line of a command whose batch sharpness stays on the CPU by <see cref="CpuHasGramPath"/> although a GPU is used.</summary>
    public static string GramPathNote(string command) =>
        $"{command}: batch sharpness stays on the CPU workers: for batches up to {Objective<float>.GramBatchLimit} they take it from batch Gram matrices, " +
        "faster than the GPU's one batch at a time";
}
