using System.Text;
using SharpEdge.Numerics.Io;

namespace SharpEdge.TeacherStudent;

/// <summary>How <see cref="PhaseOutput"/> stores a cell.</summary>
public enum OutputFormat
{
    /// <summary>Named plain arrays (W, dW, loss, Wt, Z, M, seeds, parameters): <c>numpy.load</c> without pickle.</summary>
    Npz,

    /// <summary>phase_ml's own layout: one member <c>arr_0</c>, a pickled dict of W, dW, loss, Wt, Z, M (§3.4).</summary>
    PhaseMl,
}

/// <summary>
/// Writes one (lr, eps) cell to <c>{root}/r{r}K{K}/r{r}K{K}_{actf}_lr{lr}_bs{bs}_eps{eps}/data.npz</c>, the numbers
/// formatted with %.5g as generate.py does (phase_ml_spec §3.4). Shapes, with S seeds and the schedule's slots:
/// W, dW (S, slots, K, L); loss (S, slots); Wt (S, K, L); Z (S, 1, K); M (S, L, D).
/// </summary>
public static partial class PhaseOutput
{
    public const string FileName = "data.npz";

    /// <summary><c>r{r}K{K}_{actf}_lr{lr:%.5g}_bs{bs:%.5g}_eps{eps:%.5g}</c>.</summary>
    public static string CellDirectoryName(TeacherStudentConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return $"{GroupDirectoryName(config)}_{config.Activation.Name()}_lr{PercentGFormat.Format(config.LearningRate)}" +
               $"_bs{PercentGFormat.Format(config.BatchSize)}_eps{PercentGFormat.Format(config.StudentWidth)}";
    }

    /// <summary>The folder that holds <see cref="FileName"/> for this cell under <paramref name="root"/>.</summary>
    public static string CellDirectory(string root, TeacherStudentConfig config)
    {
        ArgumentNullException.ThrowIfNull(root);
        return Path.Combine(root, GroupDirectoryName(config), CellDirectoryName(config));
    }

    /// <summary>Writes the cell atomically (creating folders) and returns the file's path.</summary>
    public static string Write(string root, TeacherStudentConfig config, IReadOnlyList<SeedResult> results, OutputFormat format = OutputFormat.Npz)
    {
        ArgumentNullException.ThrowIfNull(config);
        CheckResults(config, results);
        string directory = CellDirectory(root, config);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        if (format == OutputFormat.Npz) Npz.Write(path, Arrays(config, results));
        else if (format == OutputFormat.PhaseMl) WritePhaseMl(path, config, results);
        else throw new ArgumentOutOfRangeException(nameof(format), format, "unknown output format");
        return path;
    }

    /// <summary>The members of the plain format, in file order.</summary>
    public static List<KeyValuePair<string, NpyArray>> Arrays(TeacherStudentConfig config, IReadOnlyList<SeedResult> results)
    {
        ArgumentNullException.ThrowIfNull(config);
        CheckResults(config, results);
        var schedule = config.Schedule;
        var members = HistoryArrays(config, results)
            .Select(array => new KeyValuePair<string, NpyArray>(array.Name, new NpyArray(array.Data, array.Shape)))
            .ToList();
        void Add(string name, NpyArray array) => members.Add(new(name, array));
        Add("seeds", new NpyArray(results.Select(r => r.Seed).ToArray(), results.Count));
        Add("diverged_epoch", new NpyArray(results.Select(r => (long)(r.History.DivergedAtEpoch ?? -1)).ToArray(), results.Count));
        Add("save_epochs", new NpyArray(schedule.CompletedEpochsPerSlot(), schedule.SlotCount));
        Add("actf", new NpyArray(Encoding.ASCII.GetBytes(config.Activation.Name()), config.Activation.Name().Length));
        Add("lr", Scalar(config.LearningRate));
        Add("eps", Scalar(config.StudentWidth));
        Add("bs", Scalar((long)config.BatchSize));
        Add("T", Scalar(config.Temperature));
        Add("r", Scalar((long)config.Ratio));
        Add("K", Scalar((long)config.HiddenUnits));
        Add("L", Scalar((long)config.FirstHiddenWidth));
        Add("D", Scalar((long)config.InputDim));
        Add("n_batches", Scalar((long)config.BatchCount));
        Add("epochs", Scalar((long)config.Epochs));
        Add("M_mu", Scalar(config.FirstLayerMean));
        Add("M_sig", Scalar(config.FirstLayerWidth));
        Add("W_mu", Scalar(config.TeacherMean));
        Add("W_sig", Scalar(config.TeacherWidth));
        Add("Z_mu", Scalar(config.ReadoutMean));
        Add("Z_sig", Scalar(config.ReadoutWidth));
        return members;
    }

    private static List<(string Name, double[] Data, int[] Shape)> HistoryArrays(TeacherStudentConfig config, IReadOnlyList<SeedResult> results)
    {
        int seeds = results.Count, slots = config.Schedule.SlotCount;
        int k = config.HiddenUnits, l = config.FirstHiddenWidth, d = config.InputDim;
        return
        [
            ("W", Concatenate(results, r => r.History.Weights), [seeds, slots, k, l]),
            ("dW", Concatenate(results, r => r.History.Gradients), [seeds, slots, k, l]),
            ("loss", Concatenate(results, r => r.History.Losses), [seeds, slots]),
            ("Wt", Concatenate(results, r => r.Teacher), [seeds, k, l]),
            ("Z", Concatenate(results, r => r.Readout), [seeds, TeacherStudentConfig.OutputDim, k]),
            ("M", Concatenate(results, r => r.FirstLayer), [seeds, l, d]),
        ];
    }

    private static double[] Concatenate(IReadOnlyList<SeedResult> results, Func<SeedResult, double[]> part)
    {
        int each = part(results[0]).Length;
        var all = new double[checked(each * results.Count)];
        for (int i = 0; i < results.Count; i++) part(results[i]).CopyTo(all, i * each);
        return all;
    }

    private static NpyArray Scalar(double value) => new(new[] { value });

    private static NpyArray Scalar(long value) => new(new[] { value });

    private static void CheckResults(TeacherStudentConfig config, IReadOnlyList<SeedResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0) throw new ArgumentException("need at least one seed's result", nameof(results));
        int slots = config.Schedule.SlotCount, k = config.HiddenUnits, l = config.FirstHiddenWidth;
        foreach (var result in results)
        {
            if (result is null) throw new ArgumentException("a result is null", nameof(results));
            if (result.History.Schedule.SlotCount != slots || result.History.HiddenUnits != k || result.History.Width != l ||
                result.FirstLayer.Length != l * config.InputDim)
                throw new ArgumentException($"result of seed {result.Seed} does not match the configuration's shapes", nameof(results));
        }
    }

    private static string GroupDirectoryName(TeacherStudentConfig config) => $"r{config.Ratio}K{config.HiddenUnits}";
}
