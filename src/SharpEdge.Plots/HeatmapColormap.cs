using ScottPlot;

namespace SharpEdge.Plots;

/// <summary>Perceptually uniform colormaps (matplotlib's), plus grey and turbo.</summary>
public enum HeatmapColormap
{
    Inferno,
    Viridis,
    Magma,
    Plasma,
    Turbo,
    Grayscale,
}

internal static class HeatmapColormaps
{
    public static IColormap ToColormap(this HeatmapColormap colormap) => colormap switch
    {
        HeatmapColormap.Inferno => new ScottPlot.Colormaps.Inferno(),
        HeatmapColormap.Viridis => new ScottPlot.Colormaps.Viridis(),
        HeatmapColormap.Magma => new ScottPlot.Colormaps.Magma(),
        HeatmapColormap.Plasma => new ScottPlot.Colormaps.Plasma(),
        HeatmapColormap.Turbo => new ScottPlot.Colormaps.Turbo(),
        HeatmapColormap.Grayscale => new ScottPlot.Colormaps.Grayscale(),
        _ => throw new ArgumentOutOfRangeException(nameof(colormap), colormap, null),
    };
}
