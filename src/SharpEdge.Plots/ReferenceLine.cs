namespace SharpEdge.Plots;

/// <summary>
/// A horizontal or vertical line at a data value across the axes (the 2/η stability threshold, T = T_c), or
/// between <see cref="From"/> and <see cref="To"/> along the other axis when they are set (the √2 line, which
/// stops at T ≈ 0.87).
/// </summary>
public sealed record ReferenceLine(double At, string? Label = null)
{
    public string Color { get; init; } = PlotColors.Black;
    public LineDash Dash { get; init; } = LineDash.Dashed;
    public float LineWidth { get; init; } = 1.5f;
    public double? From { get; init; }
    public double? To { get; init; }
}
