using ScottPlot;

namespace SharpEdge.Plots.Tests;

public sealed class TrainingFigureTests
{
    private const double Lr = 0.05;   // 2/η = 40

    private static MetricTrace Trace(int every, int last, Func<int, double> value)
    {
        var steps = Enumerable.Range(0, last / every + 1).Select(i => (double)(i * every)).ToArray();
        return new MetricTrace(steps, steps.Select(s => value((int)s)).ToArray());
    }

    private static RunCurves Run(string label, double lr, params (string Metric, MetricTrace Trace)[] metrics) =>
        new(label, metrics.ToDictionary(m => m.Metric, m => m.Trace)) { LearningRate = lr, BatchSize = 8 };

    private static LineFigure Panel(MultiPanelFigure figure, int index) => (LineFigure)figure[index / figure.Columns, index % figure.Columns]!;

    private static string[] Titles(MultiPanelFigure figure) =>
        Enumerable.Range(0, figure.Rows * figure.Columns).Select(i => figure[i / figure.Columns, i % figure.Columns]?.Title).OfType<string>().ToArray();

    private static string[] LegendTexts(LineFigure panel) =>
        panel.LastPlot!.GetPlottables().SelectMany(p => p.LegendItems).Select(i => i.LabelText).Where(t => !string.IsNullOrEmpty(t)).ToArray();

    /// <summary>
    /// Share of the left 60 % of the data rectangle (the legend sits on the right), on the row where <paramref name="y"/>
    /// lands by the panel's own axis mapping (±1 row), inked in <paramref name="colour"/>.
    /// </summary>
    private static double RowCoverage(Raster raster, LineFigure panel, double y, string colour)
    {
        var plot = panel.LastPlot!;
        var rect = plot.LastRender.DataRect;
        int row = (int)Math.Round(plot.GetPixel(new Coordinates(0, panel.YScale == AxisScale.Log10 ? Math.Log10(y) : y)).Y);
        return raster.RowShare(row, (int)rect.Left + 2, (int)(rect.Left + 0.6 * rect.Width), colour, slack: 1);
    }

    [Fact]
    public void OneRunDrawsItsMetricsAndTheThresholdWhereTheAxisMappingPutsThem()
    {
        var run = Run("tiny", Lr,
            ("loss", Trace(1, 200, s => Math.Exp(-s / 50.0))),
            ("lambda_max", Trace(20, 200, _ => 25)),
            ("batch_sharpness", Trace(20, 200, s => 10 + 0.1 * s)),
            ("step_sharpness", Trace(4, 200, s => 20 + 5 * Math.Sin(s))),
            ("gni", Trace(50, 200, s => 30)));
        var figure = TrainingFigure.Create([run]);
        Assert.Equal(["loss", "sharpness", "step sharpness", "GNI"], Titles(figure));
        Assert.Equal("tiny (η = 0.05, batch size 8)", figure.Title);
        using var raster = new Raster(figure.ToPng());
        Assert.Equal((2 * TrainingFigure.PanelWidth, 2 * TrainingFigure.PanelHeight), (raster.Width, raster.Height));

        Assert.Equal(AxisScale.Log10, Panel(figure, 0).YScale);
        var sharpness = Panel(figure, 1);
        // panel (0, 1) is drawn in the right half of the image
        Assert.InRange(sharpness.LastPlot!.LastRender.DataRect.Left, TrainingFigure.PanelWidth, 2 * TrainingFigure.PanelWidth);
        Assert.Equal(["λ_max", "batch sharpness", "2/η"], LegendTexts(sharpness));
        // λ_max = 25 is a solid #1f77b4 line across the axes; 2/η = 40 a dashed black one (about half its length inked)
        Assert.True(RowCoverage(raster, sharpness, 25, "#1f77b4") > 0.9, $"λ_max row: {RowCoverage(raster, sharpness, 25, "#1f77b4"):P0} blue");
        Assert.True(RowCoverage(raster, sharpness, 40, "#000000") > 0.4, $"2/η row: {RowCoverage(raster, sharpness, 40, "#000000"):P0} black");
        Assert.True(RowCoverage(raster, sharpness, 33, "#000000") < 0.05, "black ink at 33, where no line is");
        var gni = Panel(figure, 3);
        Assert.True(RowCoverage(raster, gni, 30, "#9467bd") > 0.9, "GNI = 30 line");
        Assert.True(RowCoverage(raster, gni, 40, "#000000") > 0.4, "2/η on the GNI panel");
    }

    [Fact]
    public void OverlaidRunsGetALegendEntryAndAThresholdLineEach()
    {
        var a = Run("run-a", 0.05, ("loss", Trace(1, 100, s => 1.0 / (1 + s))), ("lambda_max", Trace(10, 100, _ => 20)), ("gni", Trace(10, 100, _ => 30)));
        var b = Run("run-b", 0.02, ("loss", Trace(1, 100, s => 2.0 / (1 + s))), ("lambda_max", Trace(10, 100, _ => 60)));
        var figure = TrainingFigure.Create([a, b]);
        Assert.Null(figure.Title);
        using var raster = new Raster(figure.ToPng());
        var sharpness = Panel(figure, 1);
        Assert.Equal(AxisScale.Log10, sharpness.YScale);   // thresholds 40 and 100
        Assert.Equal(["run-a", "run-b", "2/η, η = 0.02", "2/η, η = 0.05"], LegendTexts(sharpness));
        // each run's colour: its λ_max and its learning rate's 2/η line
        Assert.True(RowCoverage(raster, sharpness, 20, PlotColors.Cycle[0]) > 0.9, "run-a λ_max");
        Assert.True(RowCoverage(raster, sharpness, 60, PlotColors.Cycle[1]) > 0.9, "run-b λ_max");
        Assert.True(RowCoverage(raster, sharpness, 40, PlotColors.Cycle[0]) > 0.4, "2/η of run-a");
        Assert.True(RowCoverage(raster, sharpness, 100, PlotColors.Cycle[1]) > 0.4, "2/η of run-b");
        Assert.Equal(["run-a (avg)", "run-b (avg)"], LegendTexts(Panel(figure, 0)));
        Assert.Equal(("λ_max", "batch loss"), (sharpness.YLabel, Panel(figure, 0).YLabel));   // the one metric drawn of the panel's two
        Assert.Equal(["run-a", "2/η"], LegendTexts(Panel(figure, 2)));   // only run-a recorded GNI: its threshold alone

        // the same learning rate: one black 2/η line and a linear axis
        var same = TrainingFigure.Create([a, b with { LearningRate = 0.05 }]);
        same.ToPng();
        Assert.Equal(AxisScale.Linear, Panel(same, 1).YScale);
        Assert.Equal(["run-a", "run-b", "2/η"], LegendTexts(Panel(same, 1)));
    }

    [Fact]
    public void PanelsFollowTheRecordedAndTheChosenMetrics()
    {
        var run = Run("r", Lr, ("loss", Trace(1, 50, _ => 1)), ("gni", Trace(10, 50, _ => 5)), ("trace", Trace(10, 50, _ => 100)));
        Assert.Equal(["loss", "GNI"], Titles(TrainingFigure.Create([run])));
        var chosen = TrainingFigure.Create([run], ["trace", "gni"]);
        Assert.Equal(["GNI", "trace"], Titles(chosen));   // standard panels first, then the others in the order asked
        var one = TrainingFigure.Create([run], ["gni"]);
        Assert.Equal((1, 1, TrainingFigure.PanelWidth), (one.Rows, one.Columns, one.Width));

        Assert.Contains("metric 'lambda_max' is recorded by none of the runs (recorded: gni, loss, trace)",
            Assert.Throws<ArgumentException>(() => TrainingFigure.Create([run], ["lambda_max"])).Message);
        Assert.Contains("chosen twice", Assert.Throws<ArgumentException>(() => TrainingFigure.Create([run], ["gni", "gni"])).Message);
        var other = Run("o", Lr, ("models", Trace(1, 3, _ => 1)));
        Assert.Contains("nothing to plot", Assert.Throws<ArgumentException>(() => TrainingFigure.Create([other])).Message);
        var broken = new RunCurves("b", new Dictionary<string, MetricTrace> { ["loss"] = new([0, 1], [1]) });
        Assert.Contains("'loss' has 2 steps but 1 values", Assert.Throws<ArgumentException>(() => TrainingFigure.Create([broken])).Message);
    }

    [Fact]
    public void StepSharpnessIsSmoothedOverTwoPercentOfItsPoints()
    {
        var noisy = Trace(2, 998, s => 30 + (s % 7) - 3);   // 500 points: window 10
        var figure = TrainingFigure.Create([Run("r", Lr, ("step_sharpness", noisy))]);
        figure.ToPng();
        var line = Panel(figure, 0).LastPlot!.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText == "step sharpness (avg)");
        var expected = RollingMean.Of(noisy.Values, 10, centered: true);
        Assert.Equal(expected, line.Data.GetScatterPoints().Select(p => p.Y));
    }

    [Fact]
    public void ThresholdPanelsStopAtTwiceTheThresholdOnlyWhenTheDataGoBeyond()
    {
        Assert.Null(TrainingFigure.ThresholdLimits([10, 30, double.NaN], [40], AxisScale.Linear));
        Assert.Equal((0, 80), TrainingFigure.ThresholdLimits([10, 1e6], [40], AxisScale.Linear));
        Assert.Equal((-80 - 0.04 * 160, 80), TrainingFigure.ThresholdLimits([-1e6, 10], [40], AxisScale.Linear));
        Assert.Equal((5 / 1.2, 200), TrainingFigure.ThresholdLimits([5, 1e4, -3], [40, 100], AxisScale.Log10));
    }
}
