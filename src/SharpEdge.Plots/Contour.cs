namespace SharpEdge.Plots;

/// <summary>
/// Contour lines over a <see cref="HeatmapFigure"/>, e.g. the 68 / 95 / 99.7 % levels of the signal-to-noise
/// fraction. <see cref="Field"/> (same shape as the heatmap values, null = the heatmap values themselves) is
/// contoured at each of <see cref="Levels"/>; grid points where <see cref="Mask"/> is true are left out, so no line
/// is drawn through squares that touch them.
/// </summary>
public sealed record Contour(IReadOnlyList<double> Levels)
{
    public double[,]? Field { get; init; }
    public bool[,]? Mask { get; init; }
    public string Color { get; init; } = PlotColors.White;
    /// <summary>One colour per level (overrides <see cref="Color"/>).</summary>
    public IReadOnlyList<string>? LevelColors { get; init; }
    public LineDash Dash { get; init; } = LineDash.DashDot;
    public float LineWidth { get; init; } = 2;
    /// <summary>Legend text; heatmaps show no legend unless the figure's <see cref="PlotFigure.Legend"/> is set.</summary>
    public string? Label { get; init; }
}
