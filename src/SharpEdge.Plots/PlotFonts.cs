using ScottPlot;
using SkiaSharp;

namespace SharpEdge.Plots;

/// <summary>
/// The fonts every figure uses: DejaVu Sans regular and bold, shipped in a <c>Fonts</c> folder next to the
/// assembly. ScottPlot silently draws no text at all when the machine has no fonts (stack_measurements §4), so the
/// figures never depend on system fonts; the bold face is needed because titles and axis labels are bold.
/// Registered under a family name no system font has, so a system font can never stand in for a missing file.
/// </summary>
public static class PlotFonts
{
    public const string Family = "SharpEdge Sans";
    public const string RegularFile = "DejaVuSans.ttf";
    public const string BoldFile = "DejaVuSans-Bold.ttf";

    private static readonly Lock gate = new();
    private static bool registered;

    /// <summary>The folder the font files are loaded from.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fonts");

    /// <summary>Registers the bundled fonts with ScottPlot once per process; throws if a file is missing.</summary>
    public static void EnsureRegistered()
    {
        lock (gate)
        {
            if (registered) return;
            string regular = Path.Combine(Folder, RegularFile);
            string bold = Path.Combine(Folder, BoldFile);
            foreach (string file in new[] { regular, bold })
                if (!File.Exists(file))
                    throw new FileNotFoundException(
                        $"plot font not found: {file}. SharpEdge.Plots needs {RegularFile} and {BoldFile} in a Fonts folder next to " +
                        "its assembly (copied there by the build); without them figures would have no text.", file);
            foreach (string file in new[] { regular, bold })
            {
                using var typeface = SKTypeface.FromFile(file);
                if (typeface is null) throw new InvalidDataException($"plot font {file} is not a readable TrueType file; figures would have no text.");
            }
            Fonts.AddFontFile(Family, regular, bold: false, italic: false);
            Fonts.AddFontFile(Family, bold, bold: true, italic: false);
            Fonts.Default = Family;
            registered = true;
        }
    }
}
