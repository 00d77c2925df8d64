namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>Which of the notebook's quirks the cell-level numbers follow.</summary>
public enum AnalysisVariant
{
    /// <summary>As the notebook computes: V_t index K−k, Ṽ = Uᵀ Var[dX] U, rate per nominal epoch count, Tc with bs = 4.</summary>
    AsCoded,

    /// <summary>V_t index K−1−k with Ṽ = Var[Uᵀ dX U], rate per epoch actually elapsed, Tc with the cells' batch size.</summary>
    Corrected,
}

/// <summary>
/// Per-cell aggregates over its models (phase_ml_spec §5–§6): the means the heatmaps show, the fraction of models
/// that pass the signal-to-noise criterion (<c>limit_matrix_new</c>), and median bands of the per-model scalars.
/// </summary>
public sealed record CellSummary
{
    public required double LearningRate { get; init; }
    public required double StudentWidth { get; init; }
    public required int BatchSize { get; init; }
    public required int Models { get; init; }
    public double Temperature => LearningRate / BatchSize;
    public double InverseWidth => 1.0 / StudentWidth;
    public required double MeanTestLoss { get; init; }
    public required double MeanQTime { get; init; }
    public required double MeanHs { get; init; }
    public required double MeanHsd { get; init; }
    public required double MeanRateAsCoded { get; init; }
    public required double MeanRateCorrected { get; init; }
    public required double OrderedFractionAsCoded { get; init; }
    public required double OrderedFractionCorrected { get; init; }
    public required MedianBand TestLoss { get; init; }
    public required MedianBand QTime { get; init; }
    public required MedianBand FinalTrainLoss { get; init; }
    public required MedianBand FinalGradientNorm { get; init; }
    public required MedianBand InitialGradientNorm { get; init; }
    /// <summary>
    /// Per rank a, the median over models of σ_a(t_f)/σ_a(0) (singular values of W, descending); the spin-glass
    /// phase keeps every one near 1.
    /// </summary>
    public required double[] SingularValueRatios { get; init; }

    public double MeanRate(AnalysisVariant variant) => variant == AnalysisVariant.AsCoded ? MeanRateAsCoded : MeanRateCorrected;
    public double OrderedFraction(AnalysisVariant variant) => variant == AnalysisVariant.AsCoded ? OrderedFractionAsCoded : OrderedFractionCorrected;

    public static CellSummary From(PhaseCell cell, IReadOnlyList<ModelObservables> models)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0) throw new ArgumentException("a cell summary needs at least one model", nameof(models));
        List<double> Of(Func<ModelObservables, double> select) => models.Select(select).ToList();
        int k = cell.HiddenUnits, last = cell.Slots - 1;
        double Ratio(ModelObservables m, int a) => Math.Sqrt(m.SquaredSingularValues[last * k + a] / m.SquaredSingularValues[a]);
        return new CellSummary
        {
            LearningRate = cell.LearningRate, StudentWidth = cell.StudentWidth, BatchSize = cell.BatchSize, Models = models.Count,
            MeanTestLoss = EnsembleStatistics.Mean(Of(m => m.TestLoss)), MeanQTime = EnsembleStatistics.Mean(Of(m => m.QTime)),
            MeanHs = EnsembleStatistics.Mean(Of(m => m.Hs)), MeanHsd = EnsembleStatistics.Mean(Of(m => m.Hsd)),
            MeanRateAsCoded = EnsembleStatistics.Mean(Of(m => m.RateAsCoded)), MeanRateCorrected = EnsembleStatistics.Mean(Of(m => m.RateCorrected)),
            OrderedFractionAsCoded = models.Count(m => m.OrderedAsCoded) / (double)models.Count,
            OrderedFractionCorrected = models.Count(m => m.OrderedCorrected) / (double)models.Count,
            TestLoss = EnsembleStatistics.Band(Of(m => m.TestLoss)), QTime = EnsembleStatistics.Band(Of(m => m.QTime)),
            FinalTrainLoss = EnsembleStatistics.Band(Of(m => m.FinalTrainLoss)), FinalGradientNorm = EnsembleStatistics.Band(Of(m => m.FinalGradientNorm)),
            InitialGradientNorm = EnsembleStatistics.Band(Of(m => m.InitialGradientNorm)),
            SingularValueRatios = Enumerable.Range(0, k).Select(a => EnsembleStatistics.Percentile(Of(m => Ratio(m, a)), 50)).ToArray(),
        };
    }
}
