using System.Text.Json.Nodes;
using Parquet;
using Parquet.Schema;
using SharpEdge.Tests;

namespace SharpEdge.Runs.Tests;

public sealed class RunExportTests : IDisposable
{
    private readonly TempFolder temp = new();
    private readonly RunStore store;

    public RunExportTests() => store = RunStore.Open(temp.Path);

    public void Dispose()
    {
        store.Dispose();
        temp.Dispose();
    }

    private long SmallRun()
    {
        long id = store.CreateRun(new RunRecord { Name = "small", Kind = "train" });
        store.AppendMetrics(id,
        [
            new MetricRow(0, 0, "batch_loss", 2.302585),
            new MetricRow(0, 0, "lambda_max", 1e-05),
            new MetricRow(1, 0.5, "batch_loss", double.NaN),
            new MetricRow(1, 0.5, "batch_sharpness", 40.25, 0.5, 64),
            new MetricRow(2, null, "batch_loss", double.NegativeInfinity),
            new MetricRow(2, null, "odd, \"name\"", 0.1),
        ]);
        return id;
    }

    [Fact]
    public void CsvIsLongFormatWithEmptyFieldsForMissingValues()
    {
        long id = SmallRun();
        string path = temp.File("out/metrics.csv");
        RunExport.Csv(store, id, path);
        const string expected =
            "step,epoch,metric,value,se,samples\n" +
            "0,0.0,batch_loss,2.302585,,\n" +
            "0,0.0,lambda_max,1e-05,,\n" +
            "1,0.5,batch_loss,nan,,\n" +
            "1,0.5,batch_sharpness,40.25,0.5,64\n" +
            "2,,batch_loss,-inf,,\n" +
            "2,,\"odd, \"\"name\"\"\",0.1,,\n";
        Assert.Equal(expected, File.ReadAllText(path));
        Assert.Equal(["metrics.csv"], Directory.GetFiles(temp.File("out")).Select(Path.GetFileName)); // no temporary left
    }

    [Fact]
    public async Task ParquetReadsBackWithTheSameColumns()
    {
        long id = SmallRun();
        string path = temp.File("metrics.parquet");
        RunExport.Parquet(store, id, path);

        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        Assert.Equal(["step", "epoch", "metric", "value", "se", "samples"], reader.Schema.DataFields.Select(f => f.Name));
        Assert.Equal(1, reader.RowGroupCount);
        using var group = reader.OpenRowGroupReader(0);
        Assert.Equal(6, group.RowCount);
        var fields = reader.Schema.DataFields;
        var step = new long[6];
        var epoch = new double?[6];
        var metric = new string?[6];
        var value = new double[6];
        var se = new double?[6];
        var samples = new long?[6];
        await group.ReadAsync<long>(fields[0], step.AsMemory());
        await group.ReadAsync<double>(fields[1], epoch.AsMemory());
        await group.ReadAsync(fields[2], metric.AsMemory());
        await group.ReadAsync<double>(fields[3], value.AsMemory());
        await group.ReadAsync<double>(fields[4], se.AsMemory());
        await group.ReadAsync<long>(fields[5], samples.AsMemory());

        var expected = store.Metrics(id);
        Assert.Equal(expected.Select(r => r.Step), step);
        Assert.Equal(expected.Select(r => r.Epoch), epoch);
        Assert.Equal(expected.Select(r => r.Name), metric);
        Assert.Equal(expected.Select(r => r.Value), value); // NaN == NaN for Assert.Equal on doubles
        Assert.Equal(expected.Select(r => r.Se), se);
        Assert.Equal(expected.Select(r => r.Samples), samples);
        Assert.Equal(double.NegativeInfinity, value[4]);
        Assert.True(double.IsNaN(value[2]));
    }

    [Fact]
    public void ResultsTxtMatchesTheEossLayout()
    {
        // The expected text was produced by Python 3.11 with EoSS HEAD's header and f-string data line.
        var config = JsonNode.Parse(
            """
            {"dataset": "cifar10", "model": "mlp", "lr": 0.01, "batch": 8, "gd_noise": null, "classes": [1, 9],
             "init_scale": 0.2, "cpu": true, "steps": 10000, "stop_loss": 1e-05, "wandb_name": "it's", "noise_mag": 1e16}
            """)!.AsObject();
        long id = store.CreateRun(new RunRecord { Name = "eoss", Kind = "train", Config = config });
        store.AppendMetrics(id,
        [
            new MetricRow(0, 0, "loss", 2.302585), new MetricRow(0, 0, "full_loss", 2.302585093),
            new MetricRow(0, 0, "lambda_max", 12.345), new MetricRow(0, 0, "full_accuracy", 0.1),
            new MetricRow(1, 0.25, "loss", 2.25), new MetricRow(1, 0.25, "step_sharpness", 33.25),
            new MetricRow(1, 0.25, "not_a_column", 7),
            new MetricRow(2, 1.5, "loss", 0.0000004), new MetricRow(2, 1.5, "lambda_max", 199.995),
            new MetricRow(2, 1.5, "step_sharpness", -0.04), new MetricRow(2, 1.5, "batch_sharpness", double.PositiveInfinity),
            new MetricRow(2, 1.5, "gni", 0.125),
            new MetricRow(3, 1.75, "only_other_metric", 1),
            new MetricRow(12345, 12.0, "loss", 1234.5678901), new MetricRow(12345, 12.0, "batch_sharpness", 1000000.0),
            new MetricRow(12345, 12.0, "full_accuracy", 1.0),
        ]);
        string path = temp.File("results.txt");
        RunExport.ResultsTxt(store, id, path);
        const string expected = """
            # Edge of Stochastic Stability.
            # Dataset: cifar10, model mlp, lr 0.01, batch size 8, gd_noise None
            # Arguments: Namespace(dataset='cifar10', model='mlp', lr=0.01, batch=8, gd_noise=None, classes=[1, 9], init_scale=0.2, cpu=True, steps=10000, stop_loss=1e-05, wandb_name="it's", noise_mag=1e+16)
            # (0) epoch, (1) step, (2) batch loss, (3) full loss, (4) lambda max, (5) step sharpness, (6) batch sharpness, (7) Gradient-Noise Interaction, (8) total accuracy
            000, 00000, 2.302585, 2.302585,  12.35,    nan,    nan,    nan,   0.10
            000, 00001, 2.250000,     nan,    nan,   33.2,    nan,    nan,    nan
            001, 00002, 0.000000,     nan, 200.00,   -0.0,    inf,   0.12,    nan
            012, 12345, 1234.567890,     nan,    nan,    nan, 1000000.0,    nan,   1.00

            """;
        Assert.Equal(expected.Replace("\r\n", "\n"), File.ReadAllText(path));
    }

    [Fact]
    public void ResultsTxtHeaderWritesPythonFloatReprs()
    {
        var config = new JsonObject
        {
            ["lr"] = 1e-4, ["a"] = 1.5e16, ["b"] = 123456789012345.6, ["c"] = 1e15, ["d"] = 2.0, ["e"] = -0.0,
            ["f"] = 5e-324, ["g"] = double.MaxValue, ["h"] = 0.1 + 0.2, ["i"] = 3, ["j"] = "x\ny", ["not-id"] = false,
        };
        var header = EossResultsFile.Header(config);
        Assert.Equal("# Dataset: None, model None, lr 0.0001, batch size None, gd_noise None", header[1]);
        Assert.Equal(
            "# Arguments: Namespace(lr=0.0001, a=1.5e+16, b=123456789012345.6, c=1000000000000000.0, d=2.0, e=-0.0, " +
            "f=5e-324, g=1.7976931348623157e+308, h=0.30000000000000004, i=3, j='x\\ny', **{'not-id': False})",
            header[2]);
    }
}
