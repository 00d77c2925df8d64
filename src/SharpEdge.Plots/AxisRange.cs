using ScottPlot;

namespace SharpEdge.Plots;

/// <summary>
/// Collects the axis-space extent of what is drawn against one axis and turns it into the axis limits:
/// the caller's limits when given, else the data range with a 4 % margin. Log axes get 10ⁿ / 2ⁿ ticks.
/// </summary>
internal sealed class AxisRange(AxisScale scale, string name)
{
    private double low = double.PositiveInfinity, high = double.NegativeInfinity;

    public AxisScale Scale => scale;

    public void Include(double position)
    {
        if (!double.IsFinite(position)) return;
        low = Math.Min(low, position);
        high = Math.Max(high, position);
    }

    public bool HasData => low <= high;

    /// <summary>The limits in axis space.</summary>
    public (double Low, double High) Limits((double Min, double Max)? requested)
    {
        if (requested is var (min, max))
        {
            double a = scale.ToAxis(min), b = scale.ToAxis(max);
            if (!double.IsFinite(a) || !double.IsFinite(b) || !(b > a))
                throw new ArgumentException($"{name} limits ({min}, {max}) are not an increasing range that a {scale} axis can show");
            return (a, b);
        }
        if (!HasData) return (0, 1);
        if (high == low) return (low - 0.5, high + 0.5);
        double margin = 0.04 * (high - low);
        return (low - margin, high + margin);
    }

    /// <summary>Sets the limits (and log ticks) of a ScottPlot axis.</summary>
    public void Apply(Plot plot, IAxis axis, (double Min, double Max)? requested)
    {
        var (a, b) = Limits(requested);
        if (scale.IsLog()) PlotFigure.SetLogTicks(axis, scale, a, b);
        if (axis is IXAxis x) plot.Axes.SetLimitsX(a, b, x);
        else if (axis is IYAxis y) plot.Axes.SetLimitsY(a, b, y);
    }
}
