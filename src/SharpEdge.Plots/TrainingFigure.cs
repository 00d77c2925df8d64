using System.Globalization;

namespace SharpEdge.Plots;

/// <summary>
/// The figure of <c>visualization/plot_results.py</c> (eoss_spec §12) for one or several training runs, one panel per
/// quantity: loss (log y), accuracy, λ_max with batch sharpness, step sharpness with its rolling mean, GNI. Every
/// quantity compared with the stability threshold gets the 2/η line, one per distinct learning rate. Panels whose
/// metrics no run recorded are left out. One run is drawn in the original's colours; several runs get one colour
/// each (the 2/η line of a learning rate takes the colour of its first run), a legend entry each, and a log y axis
/// on the threshold panels when their learning rates differ.
/// </summary>
/// <example><code>
/// var run = new RunCurves("fmnist_mlp_lr0.05_b8", new Dictionary&lt;string, MetricTrace&gt;
/// {
///     ["loss"] = new(steps, batchLoss),
///     ["lambda_max"] = new(measuredSteps, lambdaMax),
/// }) { LearningRate = 0.05, BatchSize = 8 };
/// TrainingFigure.Create([run]).Save("training.png");
/// </code></example>
public static class TrainingFigure
{
    public const int PanelWidth = 600;
    public const int PanelHeight = 400;

    /// <summary>Curves with at most this many points get markers.</summary>
    private const int SparsePoints = 50;

    private static readonly LineDash[] CurveDashes = [LineDash.Solid, LineDash.DashDot, LineDash.Dotted];

    /// <summary>The metrics the standard panels draw, in panel order.</summary>
    public static IReadOnlyList<string> StandardMetrics { get; } =
        TrainingPanel.Standard.SelectMany(p => p.Curves).Select(c => c.Metric).ToArray();

    /// <summary>
    /// The figure of <paramref name="runs"/>: the standard panels of the metrics they recorded, or, given
    /// <paramref name="metrics"/>, only those metrics (in their standard panel, else in a panel of their own).
    /// Throws <see cref="ArgumentException"/> naming the problem when there is nothing to draw or a metric is unknown.
    /// </summary>
    public static MultiPanelFigure Create(IReadOnlyList<RunCurves> runs, IReadOnlyList<string>? metrics = null)
    {
        Validate(runs);
        var panels = Choose(runs, metrics);
        int columns = panels.Count == 1 ? 1 : 2;
        var figure = new MultiPanelFigure((panels.Count + columns - 1) / columns, columns, PanelWidth, PanelHeight) { Title = Title(runs) };
        for (int i = 0; i < panels.Count; i++) figure[i / columns, i % columns] = Draw(panels[i], runs);
        return figure;
    }

    private static void Validate(IReadOnlyList<RunCurves> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("no run to plot");
        foreach (var run in runs)
        {
            if (string.IsNullOrWhiteSpace(run.Label)) throw new ArgumentException("every run needs a label for the legend");
            foreach (var (name, trace) in run.Metrics)
                if (trace.Steps.Count != trace.Values.Count)
                    throw new ArgumentException($"run '{run.Label}': metric '{name}' has {trace.Steps.Count} steps but {trace.Values.Count} values");
        }
    }

    internal static IReadOnlyList<TrainingPanel> Choose(IReadOnlyList<RunCurves> runs, IReadOnlyList<string>? metrics)
    {
        var recorded = runs.SelectMany(r => r.Metrics.Where(m => m.Value.Values.Count > 0).Select(m => m.Key)).ToHashSet();
        string RecordedList() => recorded.Count == 0 ? "none" : string.Join(", ", recorded.Order(StringComparer.Ordinal));
        if (metrics is null)
        {
            var present = Filter(recorded.Contains);
            if (present.Count == 0)
                throw new ArgumentException($"nothing to plot: the runs record none of {string.Join(", ", StandardMetrics)} (recorded: {RecordedList()})");
            return present;
        }
        if (metrics.Count == 0) throw new ArgumentException("no metric chosen");
        foreach (var metric in metrics)
        {
            if (!recorded.Contains(metric)) throw new ArgumentException($"metric '{metric}' is recorded by none of the runs (recorded: {RecordedList()})");
            if (metrics.Count(m => m == metric) > 1) throw new ArgumentException($"metric '{metric}' is chosen twice");
        }
        var chosen = Filter(metrics.Contains).ToList();
        chosen.AddRange(metrics.Where(m => !StandardMetrics.Contains(m)).Select(TrainingPanel.Single));
        return chosen;
    }

    /// <summary>
    /// The standard panels cut down to the curves whose metric is kept, empty panels dropped. A panel left with one
    /// of its curves names that metric on its y axis (overlaid runs label their curves by run only).
    /// </summary>
    private static List<TrainingPanel> Filter(Func<string, bool> keep) =>
        TrainingPanel.Standard
            .Select(p => (Panel: p, Kept: p.Curves.Where(c => keep(c.Metric)).ToArray()))
            .Where(k => k.Kept.Length > 0)
            .Select(k => k.Panel with { Curves = k.Kept, YLabel = k.Kept.Length == 1 && k.Panel.Curves.Count > 1 ? k.Kept[0].Legend : k.Panel.YLabel })
            .ToList();

    private static string? Title(IReadOnlyList<RunCurves> runs)
    {
        if (runs.Count > 1) return null;
        var run = runs[0];
        var settings = new List<string>();
        if (run.LearningRate is { } lr) settings.Add($"η = {Number(lr)}");
        if (run.BatchSize is { } b) settings.Add($"batch size {b}");
        return settings.Count == 0 ? run.Label : $"{run.Label} ({string.Join(", ", settings)})";
    }

    private static LineFigure Draw(TrainingPanel panel, IReadOnlyList<RunCurves> runs)
    {
        bool overlaid = runs.Count > 1;
        // 2/η of the runs drawn in this panel only
        var learningRates = runs.Where(r => panel.Curves.Any(c => r.Metrics.TryGetValue(c.Metric, out var t) && t.Values.Count > 0))
            .Select(r => r.LearningRate).OfType<double>().Where(lr => lr > 0 && double.IsFinite(lr)).Distinct().Order().ToList();
        var figure = new LineFigure
        {
            Title = panel.Title, XLabel = "steps", YLabel = panel.YLabel, Legend = panel.Legend, Width = PanelWidth, Height = PanelHeight,
            // thresholds a factor apart only read well on a log axis
            YScale = panel.StabilityThreshold && learningRates.Count > 1 ? AxisScale.Log10 : panel.YScale,
        };
        var drawn = new List<double>();
        for (int i = 0; i < runs.Count; i++)
            for (int j = 0; j < panel.Curves.Count; j++)
            {
                var curve = panel.Curves[j];
                if (!runs[i].Metrics.TryGetValue(curve.Metric, out var trace) || trace.Values.Count == 0) continue;
                string label = !overlaid ? curve.Legend : panel.Curves.Count > 1 ? $"{runs[i].Label}: {curve.Legend}" : runs[i].Label;
                AddCurve(figure, curve.Style, label, trace, overlaid ? RunColor(i) : curve.Color, overlaid ? CurveDashes[j % CurveDashes.Length] : LineDash.Solid);
                drawn.AddRange(trace.Values);
            }
        if (panel.StabilityThreshold && learningRates.Count > 0)
        {
            foreach (var lr in learningRates)
            {
                int first = 0;
                while (runs[first].LearningRate != lr) first++;
                figure.AddHorizontalLine(learningRates.Count == 1
                    ? new ReferenceLine(2 / lr, "2/η")
                    : new ReferenceLine(2 / lr, $"2/η, η = {Number(lr)}") { Color = RunColor(first) });
            }
            figure.YLimits = ThresholdLimits(drawn, learningRates.Select(lr => 2 / lr).ToList(), figure.YScale);
        }
        return figure;
    }

    private static void AddCurve(LineFigure figure, CurveStyle style, string label, MetricTrace trace, string color, LineDash dash)
    {
        int points = trace.Values.Count(double.IsFinite);
        int window = TrainingPanel.SmoothingWindow(points);
        if (style == CurveStyle.Line || window == 1)
        {
            // sparse measurements show their points (a single one would otherwise draw nothing)
            figure.Add(new Series(label, trace.Steps, trace.Values) { Color = color, Dash = dash, MarkerSize = points <= SparsePoints ? 4 : 0 });
            return;
        }
        var raw = style == CurveStyle.SmoothedPoints
            ? new Series(null, trace.Steps, trace.Values) { Color = color, LineWidth = 0, MarkerSize = 3, Opacity = 0.3 }
            : new Series(null, trace.Steps, trace.Values) { Color = color, LineWidth = 1, Opacity = 0.3 };
        figure.Add(raw);
        figure.Add(new Series($"{label} (avg)", trace.Steps, RollingMean.Of(trace.Values, window, centered: true)) { Color = color, Dash = dash, LineWidth = 2 });
    }

    /// <summary>
    /// Null (fit the data and the lines) while the values stay within twice the highest threshold, the original's
    /// 4/η; beyond it (a diverging run) the axis stops there so the approach to 2/η stays readable.
    /// </summary>
    internal static (double Min, double Max)? ThresholdLimits(IReadOnlyList<double> values, IReadOnlyList<double> thresholds, AxisScale scale)
    {
        double top = 2 * thresholds.Max();
        var shown = values.Where(v => double.IsFinite(v) && (!scale.IsLog() || v > 0)).ToList();
        if (!shown.Any(v => Math.Abs(v) > top)) return null;
        if (scale.IsLog()) return (Math.Min(shown.Min(), thresholds.Min()) / 1.2, top);
        double low = Math.Max(Math.Min(shown.Min(), 0), -top);
        return (low < 0 ? low - 0.04 * (top - low) : 0, top);
    }

    private static string RunColor(int index) => PlotColors.Cycle[index % PlotColors.Cycle.Count];

    private static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
