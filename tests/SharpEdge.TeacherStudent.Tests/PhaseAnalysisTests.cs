using SharpEdge.TeacherStudent.Analysis;

namespace SharpEdge.TeacherStudent.Tests;

public sealed class PhaseAnalysisTests
{
    // phase_ml_spec §10.3: values NumPy's RandomState(42).normal(0, 1, (128, 3)) gives.
    [Fact]
    public void TestInputsEqualNumpysSeed42Stream()
    {
        var x = PhaseTestSet.Inputs();
        Assert.Equal(384, x.Length);
        Assert.Equal([0.4967141530112327, -0.13826430117118466, 0.6476885381006925], x[..3]);
        Assert.Equal([1.5230298564080254, -0.23415337472333597, -0.23413695694918055], x[3..6]);
        Assert.Equal([-0.5993926454440222, -2.123895724309807, -0.525755021680761], x[^3..]);
        double sum = 0, squares = 0;
        foreach (var v in x)
        {
            sum += v;
            squares += v * v;
        }
        Assert.Equal(5.457727383515268, sum, 1e-12);
        Assert.Equal(348.61259904361043, squares, 1e-10);
    }

    /// <summary>
    /// A 3×3 linear fixture (identity activation, D = 1, two test points x = 1, −2) whose observables follow by
    /// hand: M = (1,1,1)ᵀ so s0 = x·1; W_f = diag(3,2,1) so X's eigenvectors are the unit vectors; teacher 2·I;
    /// Z = (1,1,−1). Then y_t = 2x, y = 4x, residual −2x, φ = −2x·Z, dX_n = −2x_n²·A with
    /// A_ab = p_a q_b + q_a p_b, p = (3,2,1), q = (1,1,−1).
    /// </summary>
    private static PhaseCell LinearFixture(double lr, double eps) => new("fixture")
    {
        LearningRate = lr, StudentWidth = eps, BatchSize = 1, Epochs = 100, HiddenUnits = 3, Width = 3, InputDim = 1, Ratio = 1,
        Activation = Activation.Identity, Models = 1, Slots = 2,
        // slot 0: W_f / 2, slot 1: W_f
        Weights = [1.5, 0, 0, 0, 1, 0, 0, 0, 0.5, 3, 0, 0, 0, 2, 0, 0, 0, 1],
        Gradients = [0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3, 4, 0],
        Losses = [0.7, 0.01], Teachers = [2, 0, 0, 0, 2, 0, 0, 0, 2], Readouts = [1, 1, -1], FirstLayers = [1, 1, 1],
        Seeds = [17], SlotEpochs = [0, 81],
    };

    [Fact]
    public void ObservablesOfTheLinearFixtureEqualHandComputedValues()
    {
        var m = PhaseObservables.Compute(LinearFixture(lr: 0.5, eps: 1.9), 0, [1.0, -2.0]);
        Assert.Equal(17, m.Seed);
        Assert.Equal(10.0, m.TestLoss, 1e-13);                       // mean (2x)² over x = 1, −2
        Assert.Equal(35.0 / 6.0, m.QTime, 1e-13);                    // Σ x²·(4.5 + 2 + 0.5) / (2·3)
        Assert.Equal(40 / Math.Sqrt(60 * 70) / 2, m.Hs, 1e-15);     // ⟨h, s⟩ = 40, ‖h‖² = 60, ‖s‖² = 70, / n
        Assert.Equal(1.0 / 3.0, m.Hsd, 1e-15);                       // per-unit cosines +1, +1, −1
        // K = mean(−2x²)·A = −5A: K_t = |−5·6| − |−5·(−2)|; V = var(−2x²)·A² = 9A²
        Assert.Equal(20.0, m.DriftDifference, 1e-12);
        Assert.Equal(9 * (4 + 25 + 4), m.NoiseAsCoded, 1e-11);       // V[0,2] + V[0,1] + V[2,2]
        Assert.Equal(9 * (4 + 25 + 1), m.NoiseCorrected, 1e-11);     // V[0,2] + V[0,1] + V[2,1]
        Assert.Equal(20.0 / (297 + 1e-15), m.SignalToNoise, 1e-13);
        // criterion K_t/√r/(K−1) = 10 against T·V_t/σ_W²/4 with T = 0.5, σ_W² = 3.61: 10.28 (fails) and 9.35 (passes)
        Assert.False(m.OrderedAsCoded);
        Assert.True(m.OrderedCorrected);
        // W_f = 2·W_0: the spectral width grows by 4
        Assert.Equal(Math.Log(4) / 100, m.RateAsCoded, 1e-15);
        Assert.Equal(Math.Log(4) / 81, m.RateCorrected, 1e-15);
        Assert.Equal(0.01, m.FinalTrainLoss);
        Assert.Equal(5.0, m.FinalGradientNorm, 1e-15);
        Assert.Equal(2.0, m.InitialGradientNorm, 1e-15);
        Assert.Equal([2.25, 1, 0.25, 9, 4, 1], m.SquaredSingularValues.Select(v => Math.Round(v, 12)));
        Assert.Equal([4.0, 4, 4], m.TeacherSquaredSingularValues.Select(v => Math.Round(v, 12)));
        var summary = CellSummary.From(LinearFixture(lr: 0.5, eps: 1.9), [m, m with { SquaredSingularValues = [1, 1, 1, 1, 1, 0.25] }]);
        // per rank, the median over the two models of σ(t_f)/σ(0): (2 + 1)/2, (2 + 1)/2, (2 + 0.5)/2
        Assert.Equal([1.5, 1.5, 1.25], summary.SingularValueRatios.Select(v => Math.Round(v, 12)));
        Assert.Equal(1.0, summary.OrderedFractionCorrected);
        Assert.Equal(0.0, summary.OrderedFractionAsCoded);
    }

    [Fact]
    public void AStudentEqualToItsTeacherHasNoErrorNoDriftAndNoNoise()
    {
        var cell = LinearFixture(1, 1);
        var teacher = new double[] { 3, 0.5, 0, -0.5, 2, 0.25, 0, 0.25, 1 };
        teacher.CopyTo(cell.Weights, 9);
        var tanh = new PhaseCell("fixture")
        {
            LearningRate = 1, StudentWidth = 1, BatchSize = 1, Epochs = 100, HiddenUnits = 3, Width = 3, InputDim = 1, Ratio = 1,
            Activation = Activation.Tanh, Models = 1, Slots = 2, Weights = cell.Weights, Gradients = cell.Gradients, Losses = cell.Losses,
            Teachers = teacher, Readouts = [0.7, -1.1, 0.4], FirstLayers = [0.3, -0.8, 1.2], Seeds = [1], SlotEpochs = [0, 81],
        };
        var m = PhaseObservables.Compute(tanh, 0, [0.9, -0.4, 1.7, 0.1]);
        Assert.Equal(0.0, m.TestLoss);
        Assert.Equal(0.0, m.DriftDifference);
        Assert.Equal(0.0, m.NoiseAsCoded);
        Assert.Equal(0.0, m.NoiseCorrected);
        Assert.True(m.OrderedAsCoded);   // 0 ≥ 0: the notebook's >=
    }

    // numpy.percentile([1, 2, 3, 4, 10], [16, 50, 84]) = [1.64, 3, 6.16]
    [Fact]
    public void PercentilesInterpolateLinearlyAsNumpy()
    {
        var band = EnsembleStatistics.Band([10, 2, 4, 1, 3]);
        Assert.Equal(3.0, band.Median, 1e-15);
        Assert.Equal(1.64, band.Lower, 1e-14);
        Assert.Equal(6.16, band.Upper, 1e-14);
        Assert.Equal(2.5, EnsembleStatistics.Percentile([1, 2, 3, 4], 50), 1e-15);
        Assert.Equal(4.0, EnsembleStatistics.Percentile([1, 2, 3, 4], 100));
        Assert.True(double.IsNaN(EnsembleStatistics.Percentile([1, double.NaN], 50)));
    }

    private static CellSummary Summary(double lr, double eps, double fraction, int bs = 4)
    {
        var band = new MedianBand(1, 1, 1);
        return new CellSummary
        {
            LearningRate = lr, StudentWidth = eps, BatchSize = bs, Models = 100, MeanTestLoss = 0, MeanQTime = 0, MeanHs = 0, MeanHsd = 0,
            MeanRateAsCoded = 0, MeanRateCorrected = 0, OrderedFractionAsCoded = fraction, OrderedFractionCorrected = fraction,
            TestLoss = band, QTime = band, FinalTrainLoss = band, FinalGradientNorm = band, InitialGradientNorm = band,
            SingularValueRatios = [1.0],
        };
    }

    // cell 21: t = max{i : fraction > level} (strict), Tc = (lr_t + lr_t+1)/4/2
    [Fact]
    public void CriticalTemperatureIsTheMidpointAfterTheLastPassingCell()
    {
        double[] lrs = [0.125, 0.25, 0.5, 1, 2, 4];
        double[] fractions = [1, 0.99, 0.9, 0.7, 0.68, 1.0 / 3];
        var diagram = new PhaseDiagram(lrs.Select((lr, i) => Summary(lr, 0.125, fractions[i])).ToList(), AnalysisVariant.AsCoded);
        Assert.Equal((1 + 2) / 4.0 / 2, diagram.Critical(0, 0.68).Value);    // 0.68 itself fails the strict >
        Assert.Equal((0.25 + 0.5) / 4.0 / 2, diagram.Critical(0, 0.95).Value);
        Assert.Equal((0.125 + 0.25) / 4.0 / 2, diagram.Critical(0, 0.997).Value);
        var none = new PhaseDiagram(lrs.Select(lr => Summary(lr, 0.125, 0.5)).ToList(), AnalysisVariant.AsCoded).Critical(0, 0.68);
        Assert.Null(none.Value);
        Assert.Contains("no temperature", none.Note);
        var all = new PhaseDiagram(lrs.Select(lr => Summary(lr, 0.125, 0.9)).ToList(), AnalysisVariant.AsCoded).Critical(0, 0.68);
        Assert.Null(all.Value);
        Assert.Contains("above the grid", all.Note);
        // corrected: the cells' batch size replaces the hard-coded 4
        var bs8 = new PhaseDiagram(lrs.Select((lr, i) => Summary(lr, 0.125, fractions[i], bs: 8)).ToList(), AnalysisVariant.Corrected);
        Assert.Equal((1 + 2) / 8.0 / 2, bs8.Critical(0, 0.68).Value);
    }

    [Fact]
    public void DiagramRowsFollowEpsAndHeatmapsFollowInverseWidth()
    {
        var cells = new List<CellSummary>();
        foreach (var eps in new[] { 4.0, 0.25, 1.0 })
            foreach (var lr in new[] { 2.0, 0.5 })
                cells.Add(Summary(lr, eps, eps * 10 + lr));
        var d = new PhaseDiagram(cells, AnalysisVariant.AsCoded);
        Assert.Equal([0.25, 1.0, 4.0], d.StudentWidths);
        Assert.Equal([0.5, 2.0], d.LearningRates);
        var m = d.Matrix(c => c.OrderedFractionAsCoded);
        Assert.Equal(0.25 * 10 + 2, m[0, 1]);
        var h = d.Heatmap(c => c.OrderedFractionAsCoded);   // [T][1/σ_W ascending]
        Assert.Equal([0.25, 1.0, 4.0], d.HeatmapX);
        Assert.Equal(4.0 * 10 + 0.5, h[0, 0]);
        Assert.Equal(0.25 * 10 + 2, h[1, 2]);
        Assert.Throws<ArgumentException>(() => new PhaseDiagram([Summary(1, 1, 1), Summary(1, 1, 0.5)], AnalysisVariant.AsCoded));
        Assert.Throws<ArgumentException>(() => new PhaseDiagram([Summary(1, 1, 1), Summary(2, 1, 0.5, bs: 8)], AnalysisVariant.AsCoded));
    }

    [Fact]
    public void SparseGridsAreDrawnOnTheirFullLattice()
    {
        // eps 0.125, 0.5, 256 → 1/σ_W = 1/256, 2, 8: lattice of ratio 2 from 1/256 to 8 (12 columns)
        var cells = new[] { 0.125, 0.5, 256 }.SelectMany(eps => new[] { 0.125, 1.0 }.Select(lr => Summary(lr, eps, lr * eps))).ToList();
        var (x, y, values) = PhaseFigures.Lattice(new PhaseDiagram(cells, AnalysisVariant.AsCoded), c => c.OrderedFractionAsCoded);
        Assert.Equal(12, x.Length);
        Assert.Equal(1.0 / 256, x[0], 1e-15);
        Assert.Equal(8.0, x[^1], 1e-12);
        Assert.Equal([1.0 / 32, 0.25], y);   // one ratio (8) between the two temperatures: no gap to fill
        Assert.Equal(256 * 0.125, values[0, 0]);
        Assert.Equal(0.125 * 1.0, values[1, 11]);
        Assert.True(double.IsNaN(values[1, 5]));
    }

    [Fact]
    public void TanhDensityIsNormalisedAndBimodalAboveOneHalf()
    {
        foreach (var variance in new[] { 0.1, 0.5, 2.0 })
        {
            // ∫ p(φ) dφ over |φ| < 0.999 = P(|z| < artanh 0.999) for z ~ N(0, σ²)
            int n = 200_000;
            double integral = 0, h = 1.998 / n;
            for (int i = 0; i < n; i++) integral += PhaseFigures.TanhDensity(-0.999 + (i + 0.5) * h, variance) * h;
            double expected = Numerics.SimdMath.Erf(Math.Atanh(0.999) / Math.Sqrt(2 * variance));
            Assert.Equal(expected, integral, 1e-4);
        }
        Assert.True(PhaseFigures.TanhDensity(0, 0.4) > PhaseFigures.TanhDensity(0.3, 0.4));   // unimodal below σ_c² = ½
        Assert.True(PhaseFigures.TanhDensity(0, 0.6) < PhaseFigures.TanhDensity(0.3, 0.6));   // a dip at 0 above it
    }
}
