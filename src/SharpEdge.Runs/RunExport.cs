using SharpEdge.Numerics.Io;
using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace SharpEdge.Runs;

/// <summary>
/// A run's metrics as files for other tools, all written atomically (temporary file, then rename):
/// long-format CSV and Parquet with columns <c>step, epoch, metric, value, se, samples</c> in (step, metric)
/// order, and an EoSS-compatible <c>results.txt</c>.
/// </summary>
public static class RunExport
{
    public const string CsvHeader = "step,epoch,metric,value,se,samples";

    /// <summary>
    /// CSV, one row per (step, metric). Floats are written as Python's repr (shortest round-trip: 0.1, 1e-05,
    /// nan, inf), so pandas and numpy read back the same doubles; a missing epoch, se or samples is an empty field.
    /// </summary>
    public static void Csv(RunStore store, long id, string path)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = store.Metrics(id);
        AtomicFile.WriteText(path, writer =>
        {
            writer.WriteLine(CsvHeader);
            var line = new StringBuilder();
            foreach (var row in rows)
            {
                line.Clear()
                    .Append(row.Step.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(row.Epoch is double e ? PythonFormat.Repr(e) : "").Append(',')
                    .Append(CsvField(row.Name)).Append(',')
                    .Append(PythonFormat.Repr(row.Value)).Append(',')
                    .Append(row.Se is double se ? PythonFormat.Repr(se) : "").Append(',')
                    .Append(row.Samples is long n ? n.ToString(CultureInfo.InvariantCulture) : "");
                writer.WriteLine(line);
            }
        });
    }

    /// <summary>Parquet (one row group): step int64, epoch double?, metric string, value double, se double?, samples int64?.</summary>
    public static void Parquet(RunStore store, long id, string path) => ParquetAsync(store, id, path).GetAwaiter().GetResult();

    public static async Task ParquetAsync(RunStore store, long id, string path, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = store.Metrics(id);
        var step = new DataField<long>("step");
        var epoch = new DataField<double?>("epoch");
        var metric = new DataField<string>("metric", nullable: false);
        var value = new DataField<double>("value");
        var se = new DataField<double?>("se");
        var samples = new DataField<long?>("samples");
        var schema = new ParquetSchema(step, epoch, metric, value, se, samples);

        using var buffer = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, buffer, cancellationToken: cancellation))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync<long>(step, rows.Select(r => r.Step).ToArray().AsMemory(), cancellationToken: cancellation);
            await group.WriteAsync<double>(epoch, rows.Select(r => r.Epoch).ToArray().AsMemory(), cancellationToken: cancellation);
            await group.WriteAsync(metric, rows.Select(r => r.Name).ToArray());
            await group.WriteAsync<double>(value, rows.Select(r => r.Value).ToArray().AsMemory(), cancellationToken: cancellation);
            await group.WriteAsync<double>(se, rows.Select(r => r.Se).ToArray().AsMemory(), cancellationToken: cancellation);
            await group.WriteAsync<long>(samples, rows.Select(r => r.Samples).ToArray().AsMemory(), cancellationToken: cancellation);
        }
        AtomicFile.Write(path, stream => buffer.WriteTo(stream));
    }

    /// <summary>
    /// EoSS <c>results.txt</c> from the run's config and metrics (<see cref="EossResultsFile"/>); the columns
    /// default to HEAD's (<see cref="EossResultsFile.HeadColumns"/>).
    /// </summary>
    public static void ResultsTxt(RunStore store, long id, string path, IReadOnlyList<ResultsColumn>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var run = store.GetRun(id);
        var rows = store.Metrics(id);
        AtomicFile.WriteText(path, writer => EossResultsFile.Write(writer, run.Config, rows, columns));
    }

    /// <summary>RFC 4180: quote a field that holds a comma, quote or line break.</summary>
    private static string CsvField(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"") + "\"";
}
