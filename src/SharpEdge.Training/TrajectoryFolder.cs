using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpEdge.Numerics.Io;
using SharpEdge.Runs;

namespace SharpEdge.Training;

/// <summary>
/// The <c>trajectory/</c> folder of a run (<c>--save-trajectory</c>, eoss_spec §7.17, §11.4): at each recorded step S,
/// <c>step_S.npy</c> holds Pθ_S (float32, [m]) for the <see cref="SparseRandomProjection"/> P described in
/// <c>projection.json</c> (rows, non-zeros per column, seed, parameters), and the run store gets
/// <c>trajectory_proj_norm</c> = ‖Pθ_S‖. P is linear, so P(θ_t − θ_0) is the difference of two files, and runs of the
/// same model and seed share P, so their projected distances compare directly. Each file is written atomically.
/// </summary>
public sealed class TrajectoryFolder
{
    public const string FolderName = "trajectory";
    public const string Metric = "trajectory_proj_norm";

    /// <summary>HEAD's <c>trajectory_projection</c> rule (§8.1): every 32 steps.</summary>
    public static readonly Curvature.Measurements.Cadence HeadRule = Curvature.Measurements.Cadence.Every(32);
    private const string Prefix = "step_";

    private readonly SparseRandomProjection projection;
    private readonly double[] sum;
    private readonly float[] values;
    private bool described;

    public TrajectoryFolder(string runFolder, SparseRandomProjection projection, MeasurementCadence cadence)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(cadence);
        Path = System.IO.Path.Combine(runFolder, FolderName);
        this.projection = projection;
        Cadence = cadence;
        sum = new double[projection.Dimension];
        values = new float[projection.Dimension];
    }

    public string Path { get; }
    public MeasurementCadence Cadence { get; }

    public string FilePath(long step) => System.IO.Path.Combine(Path, $"{Prefix}{step}.npy");

    /// <summary>Writes Pθ of step <paramref name="step"/> and adds its norm to <paramref name="rows"/>.</summary>
    public void Record(ReadOnlySpan<float> theta, long step, double epoch, List<MetricRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (!described) Describe();
        projection.Project(theta, sum);
        double norm = 0;
        for (int i = 0; i < sum.Length; i++)
        {
            norm += sum[i] * sum[i];
            values[i] = (float)sum[i];
        }
        Npy.Write(FilePath(step), values, values.Length);
        rows.Add(new MetricRow(step, epoch, Metric, Math.Sqrt(norm)));
    }

    private void Describe()
    {
        Directory.CreateDirectory(Path);
        var json = new JsonObject
        {
            ["kind"] = "sparse Johnson-Lindenstrauss", ["rows"] = projection.Dimension, ["columns"] = projection.ParameterCount,
            ["nonzeros_per_column"] = SparseRandomProjection.NonZeros, ["value"] = "±1/2", ["seed"] = projection.Seed,
            ["files"] = "step_S.npy: P·θ at step S, float32",
        };
        AtomicFile.WriteText(System.IO.Path.Combine(Path, "projection.json"), w => w.Write(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
        described = true;
    }

    /// <summary>The recorded steps of the run in <paramref name="runFolder"/>, ascending.</summary>
    public static IReadOnlyList<long> Steps(string runFolder)
    {
        var path = System.IO.Path.Combine(runFolder, FolderName);
        if (!Directory.Exists(path)) return [];
        var steps = new List<long>();
        foreach (var file in Directory.EnumerateFiles(path, Prefix + "*.npy"))
            if (long.TryParse(System.IO.Path.GetFileNameWithoutExtension(file)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var step))
                steps.Add(step);
        steps.Sort();
        return steps;
    }

    /// <summary>Pθ of every recorded step of the run in <paramref name="runFolder"/>: the steps and one row each.</summary>
    public static (long[] Steps, float[][] Projections) Read(string runFolder)
    {
        var steps = Steps(runFolder).ToArray();
        var rows = steps.Select(s => Npy.Read(System.IO.Path.Combine(runFolder, FolderName, $"{Prefix}{s}.npy")).Data as float[]
            ?? throw new InvalidDataException($"{FolderName}/{Prefix}{s}.npy is not float32")).ToArray();
        return (steps, rows);
    }

    /// <summary>Deletes the records at and after <paramref name="step"/> (a resumed run writes them again); returns how many.</summary>
    public static int DeleteFrom(string runFolder, long step)
    {
        int deleted = 0;
        foreach (var s in Steps(runFolder).Where(s => s >= step))
        {
            File.Delete(System.IO.Path.Combine(runFolder, FolderName, $"{Prefix}{s}.npy"));
            deleted++;
        }
        return deleted;
    }
}
