using ScottPlot;

namespace SharpEdge.Plots;

/// <summary>The shape drawn at each point of a <see cref="Series"/> with a marker size above 0.</summary>
public enum PointMarker
{
    FilledCircle,
    FilledSquare,
    OpenCircle,
    /// <summary>A short horizontal stroke: a level marked at one x, such as the 2/η of each point.</summary>
    HorizontalBar,
}

internal static class PointMarkerShapes
{
    public static MarkerShape ToShape(this PointMarker marker) => marker switch
    {
        PointMarker.FilledCircle => MarkerShape.FilledCircle,
        PointMarker.FilledSquare => MarkerShape.FilledSquare,
        PointMarker.OpenCircle => MarkerShape.OpenCircle,
        PointMarker.HorizontalBar => MarkerShape.HorizontalBar,
        _ => throw new ArgumentOutOfRangeException(nameof(marker), marker, null),
    };
}
