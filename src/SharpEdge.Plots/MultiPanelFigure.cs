using ScottPlot;
using SkiaSharp;

namespace SharpEdge.Plots;

/// <summary>
/// Figures arranged in a grid of equal panels and saved as one image (the (a), (b), (c) panels of a paper
/// figure). The panels share the figure's size: each gets Width/Columns × (Height − title)/Rows pixels, whatever
/// its own Width and Height say. Empty panels stay blank.
/// </summary>
public sealed class MultiPanelFigure : Figure
{
    private const float TitleHeight = 36;
    private readonly Figure?[,] panels;

    public MultiPanelFigure(int rows, int columns, int panelWidth = 480, int panelHeight = 400)
    {
        if (rows < 1 || columns < 1) throw new ArgumentOutOfRangeException(rows < 1 ? nameof(rows) : nameof(columns), "a panel grid needs at least one row and one column");
        panels = new Figure?[rows, columns];
        Rows = rows;
        Columns = columns;
        Width = panelWidth * columns;
        Height = panelHeight * rows;
    }

    public int Rows { get; }
    public int Columns { get; }

    public Figure? this[int row, int column]
    {
        get => panels[CheckRow(row), CheckColumn(column)];
        set
        {
            if (ReferenceEquals(value, this)) throw new ArgumentException("a figure cannot be a panel of itself");
            panels[CheckRow(row), CheckColumn(column)] = value;
        }
    }

    internal override void Draw(SKCanvas canvas, PixelRect area, float scale)
    {
        float top = area.Top;
        if (!string.IsNullOrEmpty(Title))
        {
            float strip = TitleHeight * scale;
            var typeface = Fonts.GetTypeface(PlotFonts.Family, bold: true, italic: false); // cached by ScottPlot: not ours to dispose
            using var font = new SKFont(typeface, 18 * scale);
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(Title, (area.Left + area.Right) / 2, top + strip * 0.7f, SKTextAlign.Center, font, paint);
            top += strip;
        }
        float width = area.Width / Columns, height = (area.Bottom - top) / Rows;
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Columns; c++)
            {
                if (panels[r, c] is not { } panel) continue;
                float left = area.Left + c * width, upper = top + r * height;
                panel.Draw(canvas, new PixelRect(left, left + width, upper + height, upper), scale);
            }
    }

    private int CheckRow(int row) => row >= 0 && row < Rows ? row : throw new ArgumentOutOfRangeException(nameof(row), row, $"the grid has rows 0..{Rows - 1}");
    private int CheckColumn(int column) => column >= 0 && column < Columns ? column : throw new ArgumentOutOfRangeException(nameof(column), column, $"the grid has columns 0..{Columns - 1}");
}
