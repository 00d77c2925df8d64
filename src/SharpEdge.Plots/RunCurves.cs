namespace SharpEdge.Plots;

/// <summary>
/// One training run as <see cref="TrainingFigure"/> draws it: the legend label, the learning rate that places its
/// 2/η line, and each recorded metric (store names: <c>loss</c>, <c>lambda_max</c>, <c>batch_sharpness</c>, …) as
/// values against steps.
/// </summary>
public sealed record RunCurves(string Label, IReadOnlyDictionary<string, MetricTrace> Metrics)
{
    public double? LearningRate { get; init; }
    public int? BatchSize { get; init; }
}

/// <summary>A metric's values at the steps it was recorded, in step order; NaN marks a missing or diverged value.</summary>
public sealed record MetricTrace(IReadOnlyList<double> Steps, IReadOnlyList<double> Values);
