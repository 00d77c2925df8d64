using ScottPlot;

namespace SharpEdge.Plots;

/// <summary>Line pattern, matplotlib's four: '-', '--', ':', '-.'.</summary>
public enum LineDash
{
    Solid,
    Dashed,
    Dotted,
    DashDot,
}

internal static class LineDashPatterns
{
    public static LinePattern ToPattern(this LineDash dash) => dash switch
    {
        LineDash.Solid => LinePattern.Solid,
        LineDash.Dashed => LinePattern.Dashed,
        LineDash.Dotted => LinePattern.Dotted,
        LineDash.DashDot => new LinePattern([10, 4, 2, 4], 0, "DashDot"),
        _ => throw new ArgumentOutOfRangeException(nameof(dash), dash, null),
    };
}
