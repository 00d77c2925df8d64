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
    public const string BatchEngineNames = "batch-sharpness, batch-sharpness-ratio-of-means, gn-batch-sharpness";

    /// <summary>
    /// True for the measurements that solve through <see cref="MeasurementContext{T}.HessianEigenpairs"/> or
    /// <see cref="MeasurementContext{T}.GaussNewtonEigenpairs"/>, or take products from <see cref="MeasurementContext{T}.EngineHessian"/>
    /// (the trace), and so run on the Hessian engine when one is set.
    /// </summary>
    public static bool TakesHessianEngine(IMeasurement measurement) => measurement is LambdaMax or TopK or GradientProjection or GaussNewtonLambdaMax or HessianTrace;

    /// <summary>
    /// True for the measurements that take their batches through <see cref="MeasurementContext{T}.CurvatureAlongGradientStream"/>,
    /// and so from the batch engine when one is set.
    /// </summary>
    public static bool TakesBatchEngine(IMeasurement measurement) => measurement is BatchSharpness or BatchSharpnessRatioOfMeans or GaussNewtonBatchSharpness;
}
