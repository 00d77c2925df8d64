using SharpEdge.Plots;

namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>
/// The notebook's figures (phase_ml_spec §6, Figs. 1–9 and TS_hsd) as PNG: heatmaps over (1/σ_W, T) on log₂ axes
/// with the paper's colour limits (values outside take the end colours), the criterion's contours, the masked 68 %
/// contour and the 1/σ_W = √2 line; medians with 16–84 % bars; singular-value flows. Axes span whole cells (the
/// notebook's pcolor shows the border cells half). Grids with gaps (a reduced sweep) are drawn on the full
/// lattice with the missing cells blank.
/// </summary>
public static class PhaseFigures
{
    private const string Navy = "#000080", SteelBlue = "#4682b4", Pink = "#d8a3a3";
    private static readonly string[] ContourColors = ["#c48c8c", "#e5cfc2", "#ffffff"];

    public static IReadOnlyList<string> DrawAll(PhaseAnalysis analysis, string folder)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        void Save(Figure figure, string name)
        {
            var path = Path.Combine(folder, name);
            figure.Save(path);
            written.Add(path);
        }
        var d = analysis.Diagram;
        double epochs = analysis.Parameters.Epochs;
        Save(TanhFigure(), "tanh.png");
        Save(Heatmap(d, c => c.MeanTestLoss, "mean test MSE", (1e-7, 1e-1), log: true), "TS_loss_test.png");
        Save(AlongWidth(d), "TS_phase_along_sig.png");
        Save(LossAndGradient(d), "TS_ran_loss_grad.png");
        Save(Panels(1, 2, Heatmap(d, c => c.MeanQTime, "(a) q_time", (0, 0.8)), Heatmap(d, c => c.MeanHs * 1e3, "(b) hs ×10⁻³", (0.5, 2))), "TS_ran_obs.png");
        Save(Flows(analysis), "TS_ran_eig_flow.png");
        Save(Heatmap(d, c => c.MeanRate(d.Variant) * 1e4, "growth rate of the spectral width ×10⁻⁴ per epoch", (0, 20 / epochs * 1e4)), "TS_exp_dec.png");
        Save(Prediction(d), "TS_ran_pred.png");
        Save(Panels(2, 2,
            Boundaries(d, Heatmap(d, c => c.MeanTestLoss, "(a) mean test MSE", (1e-7, 1e-1), log: true)),
            Boundaries(d, Heatmap(d, c => c.MeanQTime, "(b) q_time", (0, 0.8))),
            Boundaries(d, Heatmap(d, c => c.MeanHs * 1e3, "(c) hs ×10⁻³", (0.5, 2.5))),
            Boundaries(d, Heatmap(d, c => c.MeanRate(d.Variant) * 1e4, "(d) growth rate ×10⁻⁴", (0, 20 / epochs * 1e4)))), "TS_ran_obs_all.png");
        Save(Boundaries(d, Heatmap(d, c => c.MeanHsd, "mean hsd", (0, 0.2))), "TS_hsd.png");
        return written;
    }

    /// <summary>p(φ) of φ = tanh z for z ~ N(0, σ²): exp(−artanh²φ/(2σ²)) / (1 − φ²) / √(2πσ²), zero beyond |φ| = 0.999 (§5.8).</summary>
    public static double TanhDensity(double phi, double variance) =>
        Math.Abs(phi) >= 0.999 ? 0 : Math.Exp(-Math.Pow(Math.Atanh(phi), 2) / (2 * variance)) / (1 - phi * phi) / Math.Sqrt(2 * Math.PI * variance);

    private static Figure TanhFigure()
    {
        var phi = Enumerable.Range(0, 1000).Select(i => -0.999 + 1.998 * i / 999).ToArray();
        var density = new LineFigure { Title = "(a)", XLabel = "φ", YLabel = "p(φ)", XLimits = (-1.2, 1.2), YLimits = (0, 3), Legend = LegendPosition.UpperLeft };
        foreach (var (variance, label, dash) in new[] { (2.0, "σ_z² = 2", LineDash.Solid), (0.5, "σ_z² = σ_c² = 0.5", LineDash.Dashed), (0.1, "σ_z² = 0.1", LineDash.DashDot) })
        {
            var y = phi.Select(p => TanhDensity(p, variance)).ToArray();
            y[0] = y[^1] = 0;
            density.Add(new Series(label, phi, y) { Color = PlotColors.Black, Dash = dash });
        }
        var tanh = new LineFigure { Title = "(b)", XLabel = "z", YLabel = "φ = tanh z", XLimits = (-10, 10), YLimits = (-1.2, 1.2), Legend = LegendPosition.UpperLeft };
        Series Piece(string? label, double from, double to, LineDash dash, float width)
        {
            var z = Enumerable.Range(0, 101).Select(i => from + (to - from) * i / 100).ToArray();
            return new Series(label, z, z.Select(Math.Tanh).ToArray()) { Color = PlotColors.Black, Dash = dash, LineWidth = width };
        }
        tanh.Add(Piece("jamming regime", -10, -5, LineDash.Solid, 2.5f)).Add(Piece(null, 5, 10, LineDash.Solid, 2.5f))
            .Add(Piece(null, -5, -1, LineDash.Dashed, 1.5f)).Add(Piece(null, 1, 5, LineDash.Dashed, 1.5f))
            .Add(Piece("linear regime", -1, 1, LineDash.DashDot, 2.5f));
        return Panels(1, 2, density, tanh);
    }

    /// <summary>A cell heatmap over (1/σ_W, T) on the full log₂ lattice of the analysed grid.</summary>
    private static HeatmapFigure Heatmap(PhaseDiagram d, Func<CellSummary, double> select, string title, (double, double) limits, bool log = false)
    {
        var (x, y, values) = Lattice(d, select);
        return new HeatmapFigure(x, y, values)
        {
            Title = title, XLabel = "1/σ_W", YLabel = "T = ε/|B|", XScale = AxisScale.Log2, YScale = AxisScale.Log2,
            Colormap = HeatmapColormap.Inferno, ColorLimits = limits, LogColor = log, Width = 560, Height = 480,
        };
    }

    /// <summary>Adds the masked 68 % contour of the criterion and the √2 line, as Figs. 9 and TS_hsd.</summary>
    private static HeatmapFigure Boundaries(PhaseDiagram d, HeatmapFigure figure)
    {
        var (x, y, fraction) = Lattice(d, c => c.OrderedFraction(d.Variant));
        var mask = new bool[y.Length, x.Length];
        for (int i = 0; i < y.Length; i++)
            for (int j = 0; j < x.Length; j++)
                mask[i, j] = y[i] * x[j] <= 0.1;   // the notebook hides the contour in the spin-glass corner
        figure.AddContour(new Contour([PhaseDiagram.CriterionLevels[0]]) { Field = fraction, Mask = mask, Color = PlotColors.White, LineWidth = 3 });
        if (Math.Sqrt(2) > x[0] && Math.Sqrt(2) < x[^1])
            figure.AddVerticalLine(new ReferenceLine(Math.Sqrt(2)) { Color = PlotColors.White, LineWidth = 3, Dash = LineDash.Dashed, To = 0.87 });
        return figure;
    }

    /// <summary>Fig. 3: medians of the final training loss and gradient norm against T, one curve per σ_W.</summary>
    private static Figure AlongWidth(PhaseDiagram d)
    {
        var loss = new LineFigure { Title = "(a)", XLabel = "T = ε/|B|", YLabel = "final training loss (median)", XScale = AxisScale.Log10, YScale = AxisScale.Log10, YLimits = (1e-8, 1), Legend = LegendPosition.LowerRight };
        var grad = new LineFigure { Title = "(b)", XLabel = "T = ε/|B|", YLabel = "‖∇L‖_F final (median)", XScale = AxisScale.Log10, YScale = AxisScale.Log10, YLimits = (1e-9, 1e-3), Legend = LegendPosition.None };
        int rows = d.StudentWidths.Length;
        for (int j = 0; j < rows; j++)
        {
            var color = InfernoSample(rows == 1 ? 0 : 0.8 * j / (rows - 1));
            var t = new List<double>();
            var l = new List<double>();
            var g = new List<double>();
            for (int i = 0; i < d.LearningRates.Length; i++)
                if (d.Cells[j, i] is { } c)
                {
                    t.Add(c.Temperature);
                    l.Add(c.FinalTrainLoss.Median);
                    g.Add(c.FinalGradientNorm.Median);
                }
            var label = $"1/σ_W = {1 / d.StudentWidths[j]:0.###}";
            loss.Add(new Series(label, t, l) { Color = color, MarkerSize = 5 });
            grad.Add(new Series(label, t, g) { Color = color, MarkerSize = 5 });
        }
        return Panels(1, 2, loss, grad);
    }

    private static LineFigure MedianAgainstT(PhaseDiagram d, Func<CellSummary, MedianBand> select, string title, string yLabel, (double, double) limits)
    {
        var cells = Enumerable.Range(0, d.LearningRates.Length).Select(i => d.Cells[0, i]).OfType<CellSummary>().ToList();
        var figure = new LineFigure { Title = title, XLabel = "T = ε/|B|", YLabel = yLabel, XScale = AxisScale.Log10, YScale = AxisScale.Log10, YLimits = limits, Legend = LegendPosition.LowerRight };
        figure.Add(new Series($"1/σ_W = {1 / d.StudentWidths[0]:0.###}", cells.Select(c => c.Temperature).ToList(), cells.Select(c => select(c).Median).ToList())
        {
            Lower = cells.Select(c => select(c).Lower).ToList(), Upper = cells.Select(c => select(c).Upper).ToList(), ErrorDisplay = ErrorDisplay.Bars,
            Color = Navy, MarkerSize = 6, LineWidth = 0,
        });
        if (cells.Count > 0) figure.XLimits = (cells.Min(c => c.Temperature) / 2, cells.Max(c => c.Temperature) * 2);
        return figure;
    }

    /// <summary>Fig. 4: medians with 16–84 % bars at the smallest σ_W, and the initial gradient norm against 1/σ_W.</summary>
    private static Figure LossAndGradient(PhaseDiagram d)
    {
        var cells = Enumerable.Range(0, d.StudentWidths.Length).Select(j => d.Cells[j, 0]).OfType<CellSummary>().OrderBy(c => c.InverseWidth).ToList();
        var initial = new LineFigure { Title = "(c)", XLabel = "1/σ_W", YLabel = "‖∇L‖_F at initialisation", XScale = AxisScale.Log10, YScale = AxisScale.Log10, YLimits = (1e-3, 10), Legend = LegendPosition.None };
        initial.Add(new Series(null, cells.Select(c => c.InverseWidth).ToList(), cells.Select(c => c.InitialGradientNorm.Median).ToList())
        {
            Lower = cells.Select(c => c.InitialGradientNorm.Lower).ToList(), Upper = cells.Select(c => c.InitialGradientNorm.Upper).ToList(),
            ErrorDisplay = ErrorDisplay.Bars, Color = Navy, MarkerSize = 6, LineWidth = 0,
        });
        if (cells.Count > 0) initial.XLimits = (cells[0].InverseWidth / 2, cells[^1].InverseWidth * 2);
        return Panels(1, 3,
            MedianAgainstT(d, c => c.FinalTrainLoss, "(a)", "final training loss", (1e-8, 2e-2)),
            MedianAgainstT(d, c => c.FinalGradientNorm, "(b)", "‖∇L‖_F final", (1e-9, 1e-3)),
            initial);
    }

    /// <summary>Fig. 6: x(t) = σ²(t) of every model in the three singled-out cells, with the teachers' values dashed.</summary>
    private static Figure Flows(PhaseAnalysis analysis)
    {
        var panels = new List<Figure>();
        int k = analysis.Parameters.HiddenUnits;
        foreach (var (name, cell) in PhaseFigureCells.Flows(analysis))
        {
            var t = cell.SlotEpochs.Select(e => (double)e).ToArray();
            var figure = new LineFigure
            {
                Title = $"{name.Replace('_', ' ')}: T = {cell.Summary.Temperature:0.###}, 1/σ_W = {cell.Summary.InverseWidth:0.###}",
                XLabel = "epochs", YLabel = "x = σ²", Legend = LegendPosition.UpperLeft, XLimits = (0, t[^1]),
            };
            bool labelled = false;
            foreach (var model in cell.Models)
            {
                foreach (var target in model.TeacherSquaredSingularValues)
                    figure.Add(new Series(null, [t[0], t[^1]], [target, target]) { Color = PlotColors.Black, Dash = LineDash.Dashed, Opacity = 0.1, LineWidth = 1 });
                for (int a = 0; a < k; a++)
                {
                    var x = Enumerable.Range(0, t.Length).Select(s => model.SquaredSingularValues[s * k + a]).ToArray();
                    figure.Add(new Series(labelled ? null : "students", t, x) { Color = SteelBlue, LineWidth = 1, MarkerSize = 2 });
                    labelled = true;
                }
            }
            var last = cell.Models[^1].TeacherSquaredSingularValues[^1];
            figure.Add(new Series("x_Target", [t[0], t[^1]], [last, last]) { Color = PlotColors.Black, Dash = LineDash.Dashed, LineWidth = 1 });
            panels.Add(figure);
        }
        if (panels.Count == 0) panels.Add(new LineFigure { Title = "no flow cells analysed" });
        return Panels(1, panels.Count, [.. panels]);
    }

    /// <summary>Fig. 8: Fig. 4b with T_c (68 %), and q_time and hs with the criterion's 68/95/99.7 % contours.</summary>
    private static Figure Prediction(PhaseDiagram d)
    {
        var loss = MedianAgainstT(d, c => c.FinalGradientNorm, $"(a) 1/σ_W = {1 / d.StudentWidths[0]:0.###}", "‖∇L‖_F final", (1e-9, 1e-3));
        if (d.Critical(0, PhaseDiagram.CriterionLevels[0]).Value is { } tc)
            loss.AddVerticalLine(new ReferenceLine(tc, $"1σ (68 %): T_c = {tc:0.###}") { Color = Pink, LineWidth = 2, Dash = LineDash.DashDot });
        HeatmapFigure WithContours(HeatmapFigure figure)
        {
            var (_, _, fraction) = Lattice(d, c => c.OrderedFraction(d.Variant));
            figure.ShowColorBar = false;
            return figure.AddContour(new Contour(PhaseDiagram.CriterionLevels) { Field = fraction, LevelColors = ContourColors, LineWidth = 2 });
        }
        return Panels(1, 3, loss,
            WithContours(Heatmap(d, c => c.MeanQTime, "(b) q_time", (0, 0.8))),
            WithContours(Heatmap(d, c => c.MeanHs * 1e3, "(c) hs ×10⁻³", (0.5, 2))));
    }

    /// <summary>
    /// The heatmap's x (1/σ_W ascending), y (T ascending) and values on the full lattice spanned by the grid's
    /// smallest ratio, so a sparse sweep still gives evenly spaced log axes; cells not analysed are NaN.
    /// </summary>
    internal static (double[] X, double[] Y, double[,] Values) Lattice(PhaseDiagram d, Func<CellSummary, double> select)
    {
        var x = Fill(d.HeatmapX);
        var y = Fill(d.Temperatures);
        var values = new double[y.Length, x.Length];
        for (int i = 0; i < y.Length; i++)
            for (int j = 0; j < x.Length; j++) values[i, j] = double.NaN;
        for (int row = 0; row < d.StudentWidths.Length; row++)
            for (int column = 0; column < d.LearningRates.Length; column++)
                if (d.Cells[row, column] is { } c)
                    values[Nearest(y, c.Temperature), Nearest(x, c.InverseWidth)] = select(c);
        return (x, y, values);
    }

    private static double[] Fill(double[] ascending)
    {
        if (ascending.Length < 2) return ascending;
        double smallest = Enumerable.Range(1, ascending.Length - 1).Min(i => Math.Log(ascending[i] / ascending[i - 1]));
        for (int divisor = 1; divisor <= 8; divisor++)
        {
            double step = smallest / divisor;
            var counts = ascending.Select(v => Math.Log(v / ascending[0]) / step).ToArray();
            if (counts.Any(c => Math.Abs(c - Math.Round(c)) > 1e-6) || counts[^1] > 4096) continue;
            int n = (int)Math.Round(counts[^1]) + 1;
            // grid points that were analysed keep their exact values
            return Enumerable.Range(0, n).Select(i => ascending[0] * Math.Exp(step * i))
                .Select(v => ascending.FirstOrDefault(a => Math.Abs(Math.Log(a / v)) < 1e-6 * step, v)).ToArray();
        }
        return ascending;   // not on a lattice: the heatmap reports the uneven grid
    }

    private static int Nearest(double[] grid, double value)
    {
        int best = 0;
        for (int i = 1; i < grid.Length; i++)
            if (Math.Abs(Math.Log(grid[i] / value)) < Math.Abs(Math.Log(grid[best] / value))) best = i;
        return best;
    }

    private static MultiPanelFigure Panels(int rows, int columns, params Figure[] figures)
    {
        var panel = new MultiPanelFigure(rows, columns, 560, 480);
        for (int i = 0; i < figures.Length; i++) panel[i / columns, i % columns] = figures[i];
        return panel;
    }

    /// <summary>matplotlib's inferno at a fraction in [0, 1] (a few anchor colours, linearly interpolated).</summary>
    private static string InfernoSample(double fraction)
    {
        (double At, int R, int G, int B)[] anchors =
            [(0, 0, 0, 4), (0.2, 66, 10, 104), (0.4, 147, 38, 103), (0.6, 221, 81, 58), (0.8, 252, 165, 10), (1, 252, 255, 164)];
        fraction = Math.Clamp(fraction, 0, 1);
        int k = 1;
        while (k < anchors.Length - 1 && anchors[k].At < fraction) k++;
        var (a, b) = (anchors[k - 1], anchors[k]);
        double w = (fraction - a.At) / (b.At - a.At);
        int Mix(int p, int q) => (int)Math.Round(p + w * (q - p));
        return $"#{Mix(a.R, b.R):x2}{Mix(a.G, b.G):x2}{Mix(a.B, b.B):x2}";
    }
}
