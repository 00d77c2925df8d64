namespace SharpEdge.Plots;

/// <summary>How a metric is drawn: a plain line, or the raw values faint (line or points) under their rolling mean.</summary>
internal enum CurveStyle
{
    Line,
    SmoothedLine,
    SmoothedPoints,
}

/// <summary>One metric of a panel, with its legend text and its colour when a single run is drawn.</summary>
internal sealed record PanelCurve(string Metric, string Legend, string Color, CurveStyle Style = CurveStyle.Line);

/// <summary>
/// One panel of the training figure. The standard panels follow <c>visualization/plot_results.py</c> (eoss_spec §12):
/// its colours (λ_max #1f77b4, batch sharpness green, step sharpness red, GNI purple), the 2/η line wherever a
/// quantity is compared with the stability threshold, and HEAD's rolling mean of step sharpness.
/// </summary>
internal sealed record TrainingPanel(string Title, string YLabel, IReadOnlyList<PanelCurve> Curves)
{
    public AxisScale YScale { get; init; } = AxisScale.Linear;
    /// <summary>Draw 2/η (one line per distinct learning rate) and keep the y range within twice its height, as the original's (1, 4/η).</summary>
    public bool StabilityThreshold { get; init; }
    public LegendPosition Legend { get; init; } = LegendPosition.UpperRight;

    public static IReadOnlyList<TrainingPanel> Standard { get; } =
    [
        new("loss", "loss", [new("loss", "batch loss", "#7f7f7f", CurveStyle.SmoothedLine), new("full_loss", "full loss", PlotColors.Black)])
            { YScale = AxisScale.Log10 },
        new("accuracy", "accuracy", [new("full_accuracy", "full accuracy", PlotColors.Black), new("accuracy", "accuracy", "#1f77b4")])
            { Legend = LegendPosition.LowerRight },
        new("sharpness", "sharpness", [new("lambda_max", "λ_max", "#1f77b4"), new("batch_sharpness", "batch sharpness", "#2ca02c")])
            { StabilityThreshold = true, Legend = LegendPosition.LowerRight },
        new("step sharpness", "step sharpness", [new("step_sharpness", "step sharpness", "#d62728", CurveStyle.SmoothedPoints)])
            { StabilityThreshold = true, Legend = LegendPosition.LowerRight },
        new("GNI", "gradient-noise interaction", [new("gni", "GNI", "#9467bd")])
            { StabilityThreshold = true, Legend = LegendPosition.LowerRight },
    ];

    /// <summary>A panel of its own for a metric no standard panel shows (chosen with an explicit metric list).</summary>
    public static TrainingPanel Single(string metric) => new(metric, metric, [new(metric, metric, "#1f77b4")]);

    /// <summary>HEAD's smoothing window: 2 % of the recorded points, at least 1.</summary>
    public static int SmoothingWindow(int points) => Math.Max(1, (int)(0.02 * points));
}
