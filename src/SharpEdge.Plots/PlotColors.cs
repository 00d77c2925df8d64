using System.Text.RegularExpressions;
using ScottPlot;

namespace SharpEdge.Plots;

/// <summary>
/// Colours are hex strings, "#rrggbb" or "#rrggbbaa", so callers need no plotting types. Series without a colour
/// take matplotlib's default cycle (tab10) in order.
/// </summary>
public static partial class PlotColors
{
    public static IReadOnlyList<string> Cycle { get; } =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public const string Black = "#000000";
    public const string White = "#ffffff";

    internal static Color Parse(string hex, string what)
    {
        if (hex is null || !HexColor().IsMatch(hex))
            throw new ArgumentException($"{what}: colour '{hex}' is not a hex colour like \"#1f77b4\" or \"#1f77b480\"");
        byte Byte(int at) => Convert.ToByte(hex.Substring(at, 2), 16);
        return new Color(Byte(1), Byte(3), Byte(5), hex.Length == 9 ? Byte(7) : (byte)255);
    }

    [GeneratedRegex("^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")]
    private static partial Regex HexColor();
}
