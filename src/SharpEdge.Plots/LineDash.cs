using System.Globalization;
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

    /// <summary>
    /// The colour and pattern to give ScottPlot for a line of <paramref name="color"/> and <paramref name="dash"/>:
    /// themselves, except while an <see cref="SvgDashes"/> session records (see there).
    /// </summary>
    public static (Color Color, LinePattern Pattern) Stroke(Color color, LineDash dash) =>
        SvgDashes.Current is { } session && dash != LineDash.Solid ? session.StandIn(color, dash) : (color, dash.ToPattern());
}

/// <summary>
/// Dashed lines in SVG. Skia's SVG canvas has no dash path effect: it draws dashed strokes solid and prints
/// "Unsupported path effect in addPaint." for each. While a session records, every dashed line is drawn solid in a
/// stand-in colour of its own (the colour's alpha kept), and <see cref="Apply"/> then gives each stand-in stroke of the
/// SVG its real colour and a <c>stroke-dasharray</c>: the same pattern as the PNG, legend swatches included.
/// </summary>
internal sealed class SvgDashes : IDisposable
{
    [ThreadStatic] private static SvgDashes? current;

    // Stand-in colours #F1D2xx: no palette of ours and none of ScottPlot's uses them, and Skia writes them as hex.
    private const int StandInBase = 0xF1D200;
    private readonly Dictionary<(uint Argb, LineDash Dash), Color> standIns = [];
    private readonly Dictionary<string, string> replacements = [];

    private SvgDashes() { }

    public static SvgDashes? Current => current;

    /// <summary>Starts recording on this thread (one session at a time).</summary>
    public static SvgDashes Begin()
    {
        if (current is not null) throw new InvalidOperationException("an SVG dash session is already recording on this thread");
        return current = new SvgDashes();
    }

    public (Color Color, LinePattern Pattern) StandIn(Color color, LineDash dash)
    {
        var key = (color.ARGB, dash);
        if (!standIns.TryGetValue(key, out var standIn))
        {
            int index = standIns.Count + 1;
            if (index > 0xFF) throw new InvalidOperationException("more than 255 dashed line styles in one SVG figure");
            int rgb = StandInBase + index;
            standIn = new Color((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb, color.A);
            standIns[key] = standIn;
            var intervals = string.Join(" ", dash.ToPattern().Intervals.Select(v => v.ToString(CultureInfo.InvariantCulture)));
            replacements[$"stroke=\"#{rgb:X6}\""] = $"stroke=\"#{color.R:X2}{color.G:X2}{color.B:X2}\" stroke-dasharray=\"{intervals}\"";
        }
        return (standIn, LinePattern.Solid);
    }

    /// <summary><paramref name="svg"/> with every stand-in stroke given its colour and dash array.</summary>
    public string Apply(string svg)
    {
        foreach (var (standIn, real) in replacements) svg = svg.Replace(standIn, real, StringComparison.Ordinal);
        return svg;
    }

    public void Dispose() => current = null;
}
