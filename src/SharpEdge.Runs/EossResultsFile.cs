using System.Text.Json.Nodes;

namespace SharpEdge.Runs;

/// <summary>One measurement column of an EoSS <c>results.txt</c>: the metric it shows, its legend text and its
/// Python fixed-point format <c>{x:Width.Decimalsf}</c>.</summary>
public sealed record ResultsColumn(string Metric, string Legend, int Width, int Decimals);

/// <summary>
/// The EoSS HEAD <c>results.txt</c> (eoss_spec §11.2), which <c>visualization/plot_results.py</c> reads with
/// <c>skiprows=4</c>: four <c>#</c> lines (title; dataset, model, lr, batch size, gd_noise; the argparse Namespace;
/// the column legend), then one line per training step, <c>epoch:03d, step:05d</c> and the measurement columns,
/// separated by ", ", with <c>nan</c> where a measurement was not taken at that step.
/// </summary>
public static class EossResultsFile
{
    /// <summary>HEAD's nine columns (L1138-1143) and the metric names the run store keeps them under.</summary>
    public static IReadOnlyList<ResultsColumn> HeadColumns { get; } =
    [
        new("loss", "batch loss", 7, 6),   // the stored training batch loss of every step (issue 6 contract)
        new("full_loss", "full loss", 7, 6),
        new("lambda_max", "lambda max", 6, 2),
        new("step_sharpness", "step sharpness", 6, 1),
        new("batch_sharpness", "batch sharpness", 6, 1),
        new("gni", "Gradient-Noise Interaction", 6, 2),
        new("full_accuracy", "total accuracy", 6, 2),
    ];

    /// <summary>
    /// The four header lines. Line 2 reads <c>dataset</c>, <c>model</c>, <c>lr</c>, <c>batch</c> and <c>gd_noise</c>
    /// from the config (argparse names; "None" when absent), line 3 is the config as a Python Namespace.
    /// </summary>
    public static IReadOnlyList<string> Header(JsonObject config, IReadOnlyList<ResultsColumn>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        columns ??= HeadColumns;
        string Arg(string key) => PythonFormat.Str(config.TryGetPropertyValue(key, out var node) ? node : null);
        var legend = new List<string> { "(0) epoch", "(1) step" };
        for (int i = 0; i < columns.Count; i++) legend.Add($"({i + 2}) {columns[i].Legend}");
        return
        [
            "# Edge of Stochastic Stability.",
            $"# Dataset: {Arg("dataset")}, model {Arg("model")}, lr {Arg("lr")}, batch size {Arg("batch")}, gd_noise {Arg("gd_noise")}",
            $"# Arguments: {PythonFormat.Namespace(config)}",
            "# " + string.Join(", ", legend),
        ];
    }

    /// <summary>One data line; <paramref name="values"/> are in column order, NaN where not measured.</summary>
    public static string Line(long epoch, long step, ReadOnlySpan<double> values, IReadOnlyList<ResultsColumn>? columns = null)
    {
        columns ??= HeadColumns;
        if (values.Length != columns.Count) throw new ArgumentException($"expected {columns.Count} values (one per column), got {values.Length}", nameof(values));
        var fields = new string[columns.Count + 2];
        fields[0] = PythonFormat.ZeroPadded(epoch, 3);
        fields[1] = PythonFormat.ZeroPadded(step, 5);
        for (int i = 0; i < columns.Count; i++) fields[i + 2] = PythonFormat.Fixed(values[i], columns[i].Width, columns[i].Decimals);
        return string.Join(", ", fields);
    }

    /// <summary>
    /// Writes the header and one line per step at which any column's metric was recorded, in step order. The epoch
    /// of a line is the integer part of the epoch stored with that step's rows (carried forward when absent).
    /// </summary>
    public static void Write(TextWriter writer, JsonObject config, IEnumerable<MetricRow> rows, IReadOnlyList<ResultsColumn>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        columns ??= HeadColumns;
        var index = new Dictionary<string, int>();
        for (int i = 0; i < columns.Count; i++)
            if (!index.TryAdd(columns[i].Metric, i)) throw new ArgumentException($"metric '{columns[i].Metric}' appears in two columns", nameof(columns));
        foreach (string line in Header(config, columns)) writer.WriteLine(line);

        var values = new double[columns.Count];
        long epoch = 0;
        foreach (var step in rows.GroupBy(r => r.Step).OrderBy(g => g.Key))
        {
            if (step.FirstOrDefault(r => r.Epoch is double e && double.IsFinite(e)).Epoch is double found) epoch = (long)Math.Floor(found);
            Array.Fill(values, double.NaN);
            bool any = false;
            foreach (var row in step)
                if (index.TryGetValue(row.Name, out int column)) { values[column] = row.Value; any = true; }
            if (any) writer.WriteLine(Line(epoch, step.Key, values, columns));
        }
    }
}
