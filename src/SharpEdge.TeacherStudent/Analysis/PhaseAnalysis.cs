using System.Collections.Concurrent;

namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>One (lr, eps) cell after analysis: its models' observables (from one or more files) and their summary.</summary>
public sealed record AnalyzedCell(double LearningRate, double StudentWidth, IReadOnlyList<string> Files, long[] SlotEpochs,
    IReadOnlyList<ModelObservables> Models, CellSummary Summary);

/// <summary>Progress of an analysis: files done of files found.</summary>
public readonly record struct AnalysisProgress(int FilesDone, int FilesTotal);

/// <summary>
/// The notebook's whole analysis over a folder of cells (phase_ml_spec §5): every <c>data.npz</c> below the folder
/// is read once, its models analysed in parallel and dropped, so memory holds per-model scalars and spectra only.
/// Files of the same (lr, eps) — e.g. the paper's ten batches of ten seeds in separate folders — form one cell.
/// </summary>
public sealed class PhaseAnalysis
{
    private PhaseAnalysis(IReadOnlyList<AnalyzedCell> cells, PhaseDiagram diagram, PhaseCellParameters parameters)
    {
        Cells = cells;
        Diagram = diagram;
        Parameters = parameters;
    }

    public IReadOnlyList<AnalyzedCell> Cells { get; }
    public PhaseDiagram Diagram { get; }
    /// <summary>What every cell shares (checked on load).</summary>
    public PhaseCellParameters Parameters { get; }

    public static PhaseAnalysis Run(string root, AnalysisVariant variant, int threads, Action<AnalysisProgress>? progress = null)
    {
        var files = PhaseCell.Find(root);
        var perFile = new ConcurrentBag<(PhaseCell Cell, ModelObservables[] Models)>();
        PhaseCellParameters? shared = null;
        var gate = new object();
        int done = 0;
        var inputs = new Dictionary<int, double[]>();
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, path =>
        {
            var cell = PhaseCell.Load(path);
            var parameters = PhaseCellParameters.Of(cell);
            double[] x;
            lock (gate)
            {
                shared ??= parameters;
                if (parameters != shared)
                    throw new InvalidDataException($"{root} mixes cells trained with different parameters: {path} has {parameters.Describe()}, " +
                                                   $"others have {shared.Describe()}; analyze each set in its own folder");
                if (!inputs.TryGetValue(cell.InputDim, out x!)) inputs[cell.InputDim] = x = PhaseTestSet.Inputs(cell.InputDim);
            }
            var models = new ModelObservables[cell.Models];
            for (int m = 0; m < models.Length; m++) models[m] = PhaseObservables.Compute(cell, m, x);
            // keep only the scalars: drop the cell's arrays
            perFile.Add((WithoutArrays(cell), models));
            progress?.Invoke(new AnalysisProgress(Interlocked.Increment(ref done), files.Count));
        });

        var cells = new List<AnalyzedCell>();
        foreach (var group in perFile.GroupBy(f => (f.Cell.LearningRate, f.Cell.StudentWidth)).OrderBy(g => g.Key.StudentWidth).ThenBy(g => g.Key.LearningRate))
        {
            var parts = group.OrderBy(f => f.Cell.Path, StringComparer.Ordinal).ToList();
            var seeds = parts.SelectMany(p => p.Cell.Seeds).Where(s => s >= 0).ToList();
            var repeated = seeds.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (repeated.Count > 0)
                throw new InvalidDataException($"cell lr = {group.Key.LearningRate}, eps = {group.Key.StudentWidth}: seed(s) {string.Join(", ", repeated.Take(5))} appear in more than one file " +
                                               $"({string.Join(", ", parts.Select(p => p.Cell.Path))})");
            var models = new List<ModelObservables>();
            foreach (var (_, part) in parts)
                models.AddRange(part.Select(m => m with { Model = models.Count + m.Model }));
            var first = parts[0].Cell;
            cells.Add(new AnalyzedCell(first.LearningRate, first.StudentWidth, parts.Select(p => p.Cell.Path).ToList(), first.SlotEpochs, models,
                CellSummary.From(first, models)));
        }
        return new PhaseAnalysis(cells, new PhaseDiagram(cells.Select(c => c.Summary).ToList(), variant), shared!);
    }

    /// <summary>The cell at (lr, eps), if analysed.</summary>
    public AnalyzedCell? Find(double learningRate, double studentWidth) =>
        Cells.FirstOrDefault(c => c.LearningRate == learningRate && c.StudentWidth == studentWidth);

    private static PhaseCell WithoutArrays(PhaseCell cell) => cell.Header();
}

/// <summary>The parameters every cell of one analysis must share.</summary>
public sealed record PhaseCellParameters(Activation Activation, int Ratio, int HiddenUnits, int Width, int InputDim, int BatchSize, int Epochs, int Slots)
{
    public static PhaseCellParameters Of(PhaseCell cell) =>
        new(cell.Activation, cell.Ratio, cell.HiddenUnits, cell.Width, cell.InputDim, cell.BatchSize, cell.Epochs, cell.Slots);

    public string Describe() => $"actf {Activation.Name()}, r {Ratio}, K {HiddenUnits}, L {Width}, D {InputDim}, bs {BatchSize}, epochs {Epochs}, {Slots} slots";
}
