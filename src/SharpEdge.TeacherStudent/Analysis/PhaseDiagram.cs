namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>A critical temperature of one 1/σ_W row at one confidence level, or why there is none.</summary>
public sealed record CriticalTemperature(double Level, double? Value, string? Note);

/// <summary>
/// The cells of a sweep on their (eps, lr) grid, both ascending as the notebook's arrays: row j ↔ eps_j
/// (x = 1/σ_W = 1/eps_j), column i ↔ lr_i (y = T = lr_i/bs). Missing cells are null.
/// </summary>
public sealed class PhaseDiagram
{
    /// <summary>The notebook's confidence levels for the criterion (cell 21): 68 %, 95 %, 99.7 %.</summary>
    public static readonly double[] CriterionLevels = [0.68, 0.95, 0.997];

    public PhaseDiagram(IReadOnlyList<CellSummary> cells, AnalysisVariant variant)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count == 0) throw new ArgumentException("a phase diagram needs at least one cell", nameof(cells));
        var batchSizes = cells.Select(c => c.BatchSize).Distinct().ToList();
        if (batchSizes.Count != 1)
            throw new ArgumentException($"cells were trained with different batch sizes ({string.Join(", ", batchSizes)}); T = lr/bs would not form one grid");
        Variant = variant;
        BatchSize = batchSizes[0];
        StudentWidths = cells.Select(c => c.StudentWidth).Distinct().Order().ToArray();
        LearningRates = cells.Select(c => c.LearningRate).Distinct().Order().ToArray();
        Cells = new CellSummary?[StudentWidths.Length, LearningRates.Length];
        foreach (var cell in cells)
        {
            int j = Array.IndexOf(StudentWidths, cell.StudentWidth), i = Array.IndexOf(LearningRates, cell.LearningRate);
            if (Cells[j, i] is not null) throw new ArgumentException($"two cells at lr = {cell.LearningRate}, eps = {cell.StudentWidth}");
            Cells[j, i] = cell;
        }
    }

    public AnalysisVariant Variant { get; }
    public int BatchSize { get; }
    /// <summary>eps values ascending (so 1/σ_W descending along rows).</summary>
    public double[] StudentWidths { get; }
    public double[] LearningRates { get; }
    public CellSummary?[,] Cells { get; }
    public double[] InverseWidths => StudentWidths.Select(e => 1.0 / e).ToArray();
    public double[] Temperatures => LearningRates.Select(lr => lr / BatchSize).ToArray();

    /// <summary>A [eps row, lr column] matrix of a cell quantity; NaN where a cell is missing.</summary>
    public double[,] Matrix(Func<CellSummary, double> select)
    {
        var m = new double[StudentWidths.Length, LearningRates.Length];
        for (int j = 0; j < StudentWidths.Length; j++)
            for (int i = 0; i < LearningRates.Length; i++)
                m[j, i] = Cells[j, i] is { } c ? select(c) : double.NaN;
        return m;
    }

    /// <summary>The same matrix transposed to [T row, 1/σ_W column] with 1/σ_W ascending: the orientation of a heatmap.</summary>
    public double[,] Heatmap(Func<CellSummary, double> select)
    {
        var m = Matrix(select);
        int rows = LearningRates.Length, columns = StudentWidths.Length;
        var h = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                h[i, j] = m[columns - 1 - j, i];
        return h;
    }

    /// <summary>1/σ_W ascending, the heatmap's x grid.</summary>
    public double[] HeatmapX => InverseWidths.Reverse().ToArray();

    /// <summary>
    /// Tc of row j (cell 21): t = max{ i : fraction[j, i] &gt; level } (strict), Tc = (lr_t + lr_{t+1}) / bs / 2, with
    /// bs = 4 as hard-coded in the notebook for <see cref="AnalysisVariant.AsCoded"/>. Where no cell passes or the
    /// largest lr passes (the notebook raises) the value is null with a note.
    /// </summary>
    public CriticalTemperature Critical(int row, double level)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, StudentWidths.Length);
        int last = -1;
        for (int i = 0; i < LearningRates.Length; i++)
            if (Cells[row, i] is { } c && c.OrderedFraction(Variant) > level) last = i;
        if (last < 0) return new CriticalTemperature(level, null, "no temperature passes the criterion");
        if (last == LearningRates.Length - 1) return new CriticalTemperature(level, null, "the largest temperature still passes: Tc lies above the grid");
        double bs = Variant == AnalysisVariant.AsCoded ? 4.0 : BatchSize;
        return new CriticalTemperature(level, (LearningRates[last] + LearningRates[last + 1]) / bs / 2.0, null);
    }
}
