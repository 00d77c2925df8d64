namespace SharpEdge.Plots;

/// <summary>How a series' uncertainty is drawn.</summary>
public enum ErrorDisplay
{
    /// <summary>A shaded band between the lower and upper bounds (standard-error bands along a trajectory).</summary>
    Band,
    /// <summary>Vertical error bars with caps (few points, e.g. medians with 16–84 % percentiles).</summary>
    Bars,
}

/// <summary>
/// Named (x, y) data for a <see cref="LineFigure"/> or an overlay on a <see cref="HeatmapFigure"/>. Uncertainty is
/// either symmetric (<see cref="Errors"/>: y ± e, e.g. standard errors) or given as bounds (<see cref="Lower"/> and
/// <see cref="Upper"/>, e.g. percentiles). Points that cannot be drawn (NaN, or ≤ 0 on a log axis) break the line.
/// </summary>
public sealed record Series(string? Label, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    public IReadOnlyList<double>? Errors { get; init; }
    public IReadOnlyList<double>? Lower { get; init; }
    public IReadOnlyList<double>? Upper { get; init; }
    public ErrorDisplay ErrorDisplay { get; init; } = ErrorDisplay.Band;
    /// <summary>Hex colour ("#1f77b4"); null takes the next colour of <see cref="PlotColors.Cycle"/>.</summary>
    public string? Color { get; init; }
    public LineDash Dash { get; init; } = LineDash.Solid;
    /// <summary>Line width in pixels; 0 draws points only.</summary>
    public float LineWidth { get; init; } = 1.5f;
    /// <summary>Marker diameter in pixels; 0 draws no markers.</summary>
    public float MarkerSize { get; init; }
    public PointMarker Marker { get; init; } = PointMarker.FilledCircle;
    /// <summary>0 (invisible) to 1 (opaque).</summary>
    public double Opacity { get; init; } = 1;
    /// <summary>Draw against the right-hand y axis (a twin axis, e.g. the loss next to sharpness).</summary>
    public bool RightAxis { get; init; }

    /// <summary>Throws if the arrays disagree in length or the style values are out of range.</summary>
    internal void Validate()
    {
        string name = Label is null ? "series" : $"series '{Label}'";
        ArgumentNullException.ThrowIfNull(X, $"{name}: X");
        ArgumentNullException.ThrowIfNull(Y, $"{name}: Y");
        if (X.Count != Y.Count) throw new ArgumentException($"{name}: {X.Count} x values but {Y.Count} y values");
        if (Errors is not null && Errors.Count != X.Count) throw new ArgumentException($"{name}: {Errors.Count} errors for {X.Count} points");
        if (Errors is not null && (Lower is not null || Upper is not null)) throw new ArgumentException($"{name}: give either Errors or Lower/Upper, not both");
        if ((Lower is null) != (Upper is null)) throw new ArgumentException($"{name}: Lower and Upper go together");
        if (Lower is not null && (Lower.Count != X.Count || Upper!.Count != X.Count))
            throw new ArgumentException($"{name}: Lower/Upper need {X.Count} values each, got {Lower.Count} and {Upper!.Count}");
        if (!(LineWidth >= 0) || !(MarkerSize >= 0)) throw new ArgumentException($"{name}: line width and marker size must be ≥ 0");
        if (LineWidth == 0 && MarkerSize == 0) throw new ArgumentException($"{name}: line width and marker size are both 0, so nothing would be drawn");
        if (!(Opacity is >= 0 and <= 1)) throw new ArgumentException($"{name}: opacity must be in [0, 1], got {Opacity}");
    }

    /// <summary>The lower and upper bound of point i, or NaN when the series has no uncertainty there.</summary>
    internal (double Low, double High) Bounds(int i) =>
        Errors is not null ? (Y[i] - Errors[i], Y[i] + Errors[i])
        : Lower is not null ? (Lower[i], Upper![i])
        : (double.NaN, double.NaN);

    internal bool HasBounds => Errors is not null || Lower is not null;
}
