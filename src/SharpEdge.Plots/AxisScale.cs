namespace SharpEdge.Plots;

/// <summary>
/// How an axis maps data to position. Log axes are drawn in exponent space (log10 or log2 of the data), with
/// ticks at integer powers labelled 10ⁿ or 2ⁿ; non-positive values cannot be placed and are left out.
/// </summary>
public enum AxisScale
{
    Linear,
    Log10,
    /// <summary>For 2^k grids such as learning rate × 1/σ_W.</summary>
    Log2,
}

internal static class AxisScaleMath
{
    /// <summary>Data value to axis position; NaN where the value cannot be placed.</summary>
    public static double ToAxis(this AxisScale scale, double value) => scale switch
    {
        AxisScale.Linear => double.IsFinite(value) ? value : double.NaN,
        AxisScale.Log10 => value > 0 && double.IsFinite(value) ? Math.Log10(value) : double.NaN,
        AxisScale.Log2 => value > 0 && double.IsFinite(value) ? Math.Log2(value) : double.NaN,
        _ => throw new ArgumentOutOfRangeException(nameof(scale), scale, null),
    };

    public static double FromAxis(this AxisScale scale, double position) => scale switch
    {
        AxisScale.Linear => position,
        AxisScale.Log10 => Math.Pow(10, position),
        AxisScale.Log2 => Math.Pow(2, position),
        _ => throw new ArgumentOutOfRangeException(nameof(scale), scale, null),
    };

    public static bool IsLog(this AxisScale scale) => scale != AxisScale.Linear;

    public static int Base(this AxisScale scale) => scale == AxisScale.Log2 ? 2 : 10;
}
