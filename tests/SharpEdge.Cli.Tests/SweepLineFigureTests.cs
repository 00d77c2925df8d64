using SharpEdge.Cli.Commands;
using SharpEdge.Plots;
using SharpEdge.Sweeps;

namespace SharpEdge.Cli.Tests;

/// <summary>How <c>sweep plot</c>'s line figure draws the 2/η reference and the axes, from hand-made points.</summary>
public sealed class SweepLineFigureTests
{
    private static LinePoint Point(string metric, double? series, double x, double threshold) => new(metric, series, x, 5, 0.5, 3, threshold);

    [Fact]
    public void Against_lr_the_threshold_is_the_curve_two_over_lr_on_log_axes()
    {
        LinePoint[] points = [Point("lambda_max", 8, 0.05, 40), Point("lambda_max", 8, 0.1, 20), Point("lambda_max", 8, 0.2, 10), Point("lambda_max", 32, 0.05, 40)];
        var figure = SweepLineFigure.Create("s", points, "lr", "batch", normalized: false);
        Assert.Equal((AxisScale.Log2, AxisScale.Log10), (figure.XScale, figure.YScale));
        Assert.Equal(["batch=8", "batch=32", "2/η"], figure.Series.Select(s => s.Label));
        var curve = figure.Series[^1];
        Assert.Equal((0.05, 0.2), (curve.X[0], curve.X[^1]));
        Assert.All(curve.X.Zip(curve.Y), p => Assert.Equal(2 / p.First, p.Second, 12));
        Assert.Equal([0.5, 0.5, 0.5], figure.Series[0].Errors!);   // error bars are the standard errors
    }

    [Fact]
    public void Against_batch_each_point_gets_a_bar_at_its_own_threshold()
    {
        LinePoint[] points = [Point("lambda_max", 0.05, 8, 40), Point("lambda_max", 0.05, 32, 40), Point("lambda_max", 0.1, 8, 20), Point("lambda_max", 0.1, 32, 20)];
        var figure = SweepLineFigure.Create("s", points, "batch", "lr", normalized: false);
        Assert.Equal((AxisScale.Log2, AxisScale.Linear), (figure.XScale, figure.YScale));
        var bars = figure.Series.Where(s => s.Marker == PointMarker.HorizontalBar).ToList();
        Assert.Equal(2, bars.Count);
        Assert.Equal([8.0, 32], bars[0].X);
        Assert.Equal([40.0, 40], bars[0].Y);
        Assert.Equal([20.0, 20], bars[1].Y);
        Assert.Equal(figure.Series[0].Color, bars[0].Color);   // in its line's colour
        Assert.Equal(figure.Series[1].Color, bars[1].Color);
        Assert.All(bars, b => Assert.Equal(0, b.LineWidth));
    }

    [Fact]
    public void One_shared_threshold_or_normalised_values_get_no_per_point_bars()
    {
        LinePoint[] shared = [Point("lambda_max", null, 8, 20), Point("batch_sharpness", null, 8, 20), Point("lambda_max", null, 16, 20)];
        var figure = SweepLineFigure.Create("s", shared, "batch", null, normalized: false);
        Assert.Equal(["λ_max", "batch sharpness"], figure.Series.Select(s => s.Label));
        Assert.Equal(["#1f77b4", "#2ca02c"], figure.Series.Select(s => s.Color));
        Assert.Equal([new ReferenceLine(20, "2/η = 20")], figure.HorizontalLines);   // one line, no bars
        LinePoint[] normalized = [Point("lambda_max", null, 0.05, 1), Point("lambda_max", null, 0.1, 1)];
        var scaled = SweepLineFigure.Create("s", normalized, "lr", null, normalized: true);
        Assert.Equal(AxisScale.Linear, scaled.YScale);
        Assert.Equal(["λ_max"], scaled.Series.Select(s => s.Label));
        Assert.Equal([new ReferenceLine(1, "2/η")], scaled.HorizontalLines);
        Assert.Equal("plateau / (2/η)", scaled.YLabel);
    }
}
