using System.Text.Json;
using SharpEdge.Numerics.Io;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Tests;

public class PhaseCommandTests
{
    [Fact]
    public void Phase_train_writes_the_cell_and_a_finished_run()
    {
        var dir = CliRunner.TempDirectory();
        var r = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") },
            "phase", "train", "--lr", "0.5", "--eps", "2", "--seeds", "3", "--epochs", "20", "--batches", "50", "--out", Path.Combine(dir, "out"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var path = doc.RootElement.GetProperty("path").GetString()!;
        Assert.EndsWith(Path.Combine("r2K16", "r2K16_tanh_lr0.5_bs4_eps2", "data.npz"), path);
        Assert.Equal(0.125, doc.RootElement.GetProperty("temperature").GetDouble());
        var arrays = Npz.Read(path);
        Assert.Equal(new[] { 3, 21, 16, 32 }, arrays["W"].Shape);
        Assert.Equal(new[] { 3, 21 }, arrays["loss"].Shape);
        Assert.Equal(doc.RootElement.GetProperty("seeds").EnumerateArray().Select(s => s.GetInt64()), arrays["seeds"].AsInt64());
        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Equal("phase", run.Kind);
    }

    [Theory]
    [InlineData("--lr", "-1", "lr")]
    [InlineData("--epochs", "25", "20")]
    [InlineData("--actf", "softplus", "softplus")]
    public void Bad_parameters_are_one_clear_error(string option, string value, string message)
    {
        var dir = CliRunner.TempDirectory();
        var r = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") },
            "phase", "train", option, value, "--out", Path.Combine(dir, "out"));
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split((char)10, StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("sharpedge:"));
        Assert.Contains(message, line);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }
}

public class PhaseSweepTests
{
    private static CliRunner.Result Sweep(string dir, params string[] extra) =>
        CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") },
            ["phase", "sweep", "--lrs", "1,2", "--epss", "0.5,4", "--seeds", "2", "--epochs", "20", "--batches", "20",
             "--out", Path.Combine(dir, "out"), "--json", .. extra]);

    [Fact]
    public void A_sweep_trains_every_cell_once_and_skips_finished_cells_when_run_again()
    {
        var dir = CliRunner.TempDirectory();
        var first = Sweep(dir);
        Assert.True(first.ExitCode == 0, first.Stderr);
        using (var doc = JsonDocument.Parse(first.Stdout))
        {
            Assert.Equal(4, doc.RootElement.GetProperty("trained").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("skipped").GetInt32());
        }
        var cells = Directory.GetFiles(Path.Combine(dir, "out"), "data.npz", SearchOption.AllDirectories);
        Assert.Equal(4, cells.Length);
        Assert.Contains(cells, c => c.Contains("r2K16_tanh_lr2_bs4_eps0.5"));
        var written = cells.ToDictionary(c => c, File.GetLastWriteTimeUtc);

        var second = Sweep(dir);
        Assert.True(second.ExitCode == 0, second.Stderr);
        using (var doc = JsonDocument.Parse(second.Stdout))
        {
            Assert.Equal(0, doc.RootElement.GetProperty("trained").GetInt32());
            Assert.Equal(4, doc.RootElement.GetProperty("skipped").GetInt32());
        }
        Assert.All(written, kv => Assert.Equal(kv.Value, File.GetLastWriteTimeUtc(kv.Key)));
        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        Assert.Equal(4, store.ListRuns().Count);
    }

    [Fact]
    public void A_folder_with_cells_of_other_parameters_is_refused()
    {
        var dir = CliRunner.TempDirectory();
        Assert.Equal(0, Sweep(dir).ExitCode);
        var r = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") },
            "phase", "sweep", "--lrs", "1", "--epss", "0.5", "--seeds", "2", "--epochs", "40", "--batches", "20", "--out", Path.Combine(dir, "out"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("other parameters", r.Stderr);
        Assert.Contains("epochs", r.Stderr);
    }

    [Fact]
    public void Empty_or_bad_grids_are_errors()
    {
        var dir = CliRunner.TempDirectory();
        var r = CliRunner.Run("phase", "sweep", "--lrs", "1,-2", "--out", Path.Combine(dir, "out"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--lrs: '-2' is not a positive number", r.Stderr);
    }
}

public class PhaseDeviceTests
{
    private static readonly bool HasCuda = HasCudaDevice();

    private static bool HasCudaDevice()
    {
        using var device = Gpu.GpuDevice.TryOpenCuda();
        return device is not null;
    }

    private static CliRunner.Result Train(string dir, Dictionary<string, string> environment, params string[] extra)
    {
        environment["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results");
        return CliRunner.RunWithEnvironment(environment,
            ["phase", "train", "--lr", "0.5", "--eps", "2", "--seeds", "2", "--epochs", "2", "--batches", "10", "--out", Path.Combine(dir, "out"), "--json", .. extra]);
    }

    private static string[] Lines(string text) => text.Split((char)10, StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Device_cuda_without_a_gpu_is_one_clear_error()
    {
        if (HasCuda) return;   // this machine has a GPU: the CUDA path is what gpu_check.sh runs
        var dir = CliRunner.TempDirectory();
        var r = Train(dir, [], "--device", "cuda");
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(Lines(r.Stderr));
        Assert.StartsWith("sharpedge: error: --device cuda: no CUDA device found", line);
        Assert.EndsWith("use --device cpu or auto", line);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }

    [Fact]
    public void Device_auto_without_a_gpu_says_so_once_and_records_the_cpu()
    {
        if (HasCuda) return;
        var dir = CliRunner.TempDirectory();
        var r = Train(dir, []);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Single(Lines(r.Stderr), l => l.Contains("no CUDA device found; training on the CPU"));
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("cpu", doc.RootElement.GetProperty("device").GetString());
        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        Assert.Equal("cpu", Assert.Single(store.ListRuns()).Config["device"]!.GetValue<string>());
    }

    [Fact]
    public void An_unknown_device_is_refused()
    {
        var r = Train(CliRunner.TempDirectory(), [], "--device", "tpu");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal("sharpedge: error: --device: 'tpu' is not auto, cpu or cuda", Assert.Single(Lines(r.Stderr)));
    }

    // The CUDA code path of the CLI on ILGPU's CPU accelerator: the same data.npz arrays as --device cpu, bit for
    // bit where the CPU trainer runs its AVX-512 kernel (the order of operations the kernel follows), else to 1e-12.
    [Fact]
    public void The_device_path_writes_the_same_cell_as_the_cpu_path()
    {
        var cpuDir = CliRunner.TempDirectory();
        var cpu = Train(cpuDir, [], "--device", "cpu");
        Assert.True(cpu.ExitCode == 0, cpu.Stderr);
        var deviceDir = CliRunner.TempDirectory();
        var device = Train(deviceDir, new() { ["SHARPEDGE_CUDA_EMULATION"] = "1" }, "--device", "cuda");
        Assert.True(device.ExitCode == 0, device.Stderr);
        using (var doc = JsonDocument.Parse(device.Stdout)) Assert.Equal("cuda", doc.RootElement.GetProperty("device").GetString());
        var expected = Npz.Read(Directory.GetFiles(Path.Combine(cpuDir, "out"), "data.npz", SearchOption.AllDirectories).Single());
        var actual = Npz.Read(Directory.GetFiles(Path.Combine(deviceDir, "out"), "data.npz", SearchOption.AllDirectories).Single());
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var name in new[] { "W", "dW", "loss" })
        {
            var (a, e) = (actual[name].AsFloat64(), expected[name].AsFloat64());
            double scale = e.Max(Math.Abs), difference = a.Zip(e, (x, y) => Math.Abs(x - y)).Max();
            Assert.True(difference <= 1e-12 * scale, $"{name}: max difference {difference:G3} (scale {scale:G3})");
        }
        Assert.Equal(expected["seeds"].AsInt64(), actual["seeds"].AsInt64());
        Assert.Equal(expected["Wt"].AsFloat64(), actual["Wt"].AsFloat64());
    }

    // A device sweep trains its cells as one ensemble in-process; each cell is written and recorded as a run.
    [Fact]
    public void A_device_sweep_trains_all_cells_in_one_ensemble_and_records_each()
    {
        var dir = CliRunner.TempDirectory();
        var r = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results"), ["SHARPEDGE_CUDA_EMULATION"] = "1" },
            "phase", "sweep", "--lrs", "1,2", "--epss", "0.5", "--seeds", "2", "--epochs", "1", "--batches", "6", "--device", "cuda", "--out", Path.Combine(dir, "out"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using (var doc = JsonDocument.Parse(r.Stdout)) Assert.Equal(2, doc.RootElement.GetProperty("trained").GetInt32());
        Assert.Equal(2, Directory.GetFiles(Path.Combine(dir, "out"), "data.npz", SearchOption.AllDirectories).Length);
        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        var runs = store.ListRuns();
        Assert.Equal(2, runs.Count);
        Assert.All(runs, run => Assert.Equal("cuda", run.Config["device"]!.GetValue<string>()));
        Assert.All(runs, run => Assert.Equal(RunStatus.Finished, run.Status));
    }
}
