using System.Globalization;
using System.Text.Json;
using StbImageSharp;

namespace SharpEdge.Cli.Tests;

public class PhaseAnalyzeTests
{
    /// <summary>A 2×2 sweep of tiny runs (20 epochs of 20 batches) shared by the tests of this class.</summary>
    private static readonly Lazy<string> SweepFolder = new(() =>
    {
        var dir = CliRunner.TempDirectory();
        var r = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") },
            "phase", "sweep", "--lrs", "0.5,2", "--epss", "0.5,4", "--seeds", "3", "--epochs", "20", "--batches", "20", "--out", Path.Combine(dir, "out"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        return Path.Combine(dir, "out");
    });

    [Fact]
    public void Analyze_writes_tables_json_and_every_figure()
    {
        var root = SweepFolder.Value;
        var figures = Path.Combine(CliRunner.TempDirectory(), "figs");
        var tables = Path.Combine(CliRunner.TempDirectory(), "tables");
        var r = CliRunner.Run("phase", "analyze", root, "--figures", figures, "--out", tables, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var analysis = doc.RootElement.GetProperty("analysis");
        Assert.Equal(4, analysis.GetProperty("cells").GetInt32());
        Assert.Equal(12, analysis.GetProperty("models").GetInt32());
        Assert.Equal([0.5, 4.0], analysis.GetProperty("grid").GetProperty("eps").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([0.125, 0.5], analysis.GetProperty("grid").GetProperty("T").EnumerateArray().Select(e => e.GetDouble()));
        var limit = analysis.GetProperty("matrices").GetProperty("limit");
        foreach (var row in limit.EnumerateArray())
            foreach (var v in row.EnumerateArray())
                Assert.Equal(Math.Round(v.GetDouble() * 3), v.GetDouble() * 3, 1e-12);   // a fraction of 3 models

        // models.csv: one row per model; the cell means in phase.json are the means of its rows
        var rows = File.ReadAllLines(Path.Combine(tables, "models.csv"));
        Assert.Equal(13, rows.Length);
        var header = rows[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        double Value(string line, string name) => double.Parse(line.Split(',')[Column(name)], CultureInfo.InvariantCulture);
        var cell = rows.Skip(1).Where(l => Value(l, "lr") == 2 && Value(l, "eps") == 0.5).ToList();
        Assert.Equal(3, cell.Count);
        var meanQ = analysis.GetProperty("matrices").GetProperty("mean_q_time")[0][1].GetDouble();
        Assert.Equal(cell.Average(l => Value(l, "q_time")), meanQ, 1e-14);
        var fraction = limit[0][1].GetDouble();
        Assert.Equal(cell.Count(l => l.Split(',')[Column("ordered")] == "1") / 3.0, fraction, 1e-14);

        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(tables, "phase.json")));
        var flows = json.RootElement.GetProperty("singular_value_flows");
        Assert.Equal(3, flows.GetProperty("ordered").GetProperty("x").GetArrayLength());
        Assert.Equal(21, flows.GetProperty("ordered").GetProperty("x")[0].GetArrayLength());
        Assert.Equal(16, flows.GetProperty("ordered").GetProperty("x")[0][0].GetArrayLength());

        string[] expected = ["tanh", "TS_loss_test", "TS_phase_along_sig", "TS_ran_loss_grad", "TS_ran_obs", "TS_ran_eig_flow", "TS_exp_dec", "TS_ran_pred", "TS_ran_obs_all", "TS_hsd"];
        foreach (var name in expected)
        {
            var png = Path.Combine(figures, name + ".png");
            Assert.True(File.Exists(png), png);
            var image = ImageResult.FromMemory(File.ReadAllBytes(png), ColorComponents.RedGreenBlue);
            Assert.True(image.Width >= 400 && image.Height >= 400, $"{name}: {image.Width}x{image.Height}");
            Assert.True(image.Data.Distinct().Count() > 20, $"{name} looks blank");
        }
    }

    [Fact]
    public void Corrected_variant_changes_only_the_criterion_columns_it_should()
    {
        var root = SweepFolder.Value;
        var a = Path.Combine(CliRunner.TempDirectory(), "a");
        var b = Path.Combine(CliRunner.TempDirectory(), "b");
        Assert.Equal(0, CliRunner.Run("phase", "analyze", root, "--out", a, "--no-figures").ExitCode);
        Assert.Equal(0, CliRunner.Run("phase", "analyze", root, "--out", b, "--no-figures", "--corrected").ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(a, "models.csv")), File.ReadAllText(Path.Combine(b, "models.csv")));
        using var ja = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "phase.json")));
        using var jb = JsonDocument.Parse(File.ReadAllText(Path.Combine(b, "phase.json")));
        Assert.Equal("as-coded", ja.RootElement.GetProperty("variant").GetString());
        Assert.Equal("corrected", jb.RootElement.GetProperty("variant").GetString());
        // growth rate: per nominal epoch (20) versus per elapsed epoch (slot 20 holds epoch 20)
        var ra = ja.RootElement.GetProperty("matrices").GetProperty("lyapunov")[0][0].GetDouble();
        var rb = jb.RootElement.GetProperty("matrices").GetProperty("lyapunov")[0][0].GetDouble();
        Assert.Equal(ra, rb, 1e-15);
        Assert.Equal(ja.RootElement.GetProperty("matrices").GetProperty("mean_q_time").GetRawText(), jb.RootElement.GetProperty("matrices").GetProperty("mean_q_time").GetRawText());
    }

    [Fact]
    public void Bad_folders_and_files_are_one_clear_error_and_leave_data_alone()
    {
        var empty = CliRunner.TempDirectory();
        var r = CliRunner.Run("phase", "analyze", empty);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("no data.npz", r.Stderr);

        var corrupt = CliRunner.TempDirectory();
        var cellDir = Path.Combine(corrupt, "r2K16", "r2K16_tanh_lr1_bs4_eps1");
        Directory.CreateDirectory(cellDir);
        File.WriteAllBytes(Path.Combine(cellDir, "data.npz"), [0x50, 0x4b, 3, 4, 1, 2, 3]);
        r = CliRunner.Run("phase", "analyze", corrupt);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("sharpedge:"));
        Assert.Contains("data.npz", line);
        Assert.Equal(7, new FileInfo(Path.Combine(cellDir, "data.npz")).Length);

        // a cell trained with other epochs in the same folder
        var mixed = CliRunner.TempDirectory();
        CopyFolder(SweepFolder.Value, mixed);
        var extra = CliRunner.Run("phase", "train", "--lr", "8", "--eps", "0.5", "--seeds", "1", "--epochs", "10", "--batches", "20", "--out", mixed,
            "--results", Path.Combine(mixed, "results"));
        Assert.True(extra.ExitCode == 0, extra.Stderr);
        r = CliRunner.Run("phase", "analyze", mixed, "--no-figures");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("different parameters", r.Stderr);
    }

    [SkippableFact]
    public void Observables_equal_a_literal_numpy_transcription_of_the_notebook()
    {
        Skip.IfNot(File.Exists("/usr/bin/python3") && CliRunner.Python("-c", "import numpy").Code == 0, "Debian's python3-numpy is not installed");
        var root = SweepFolder.Value;
        var tables = Path.Combine(CliRunner.TempDirectory(), "tables");
        Assert.Equal(0, CliRunner.Run("phase", "analyze", root, "--out", tables, "--no-figures").ExitCode);
        var (code, output) = CliRunner.Python(Path.Combine(CliRunner.RepositoryRoot(), "bench", "phase_analyze_check.py"), root, tables);
        Assert.True(code == 0, output);
        Assert.Contains("12 models compared", output);
        foreach (var line in output.Split('\n').Where(l => l.Contains("max relative difference")))
        {
            var value = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture);
            Assert.True(value < 1e-9, line);
        }
        Assert.DoesNotContain("criterion mismatches", output);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
