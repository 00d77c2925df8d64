using System.Diagnostics;
using System.Text.Json;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Tests;

/// <summary>A temp folder with a results store and spec files for sweep tests, and ways to watch a sweep from outside.</summary>
public sealed class SweepFixture
{
    public string Dir { get; } = CliRunner.TempDirectory();
    public string Results => Path.Combine(Dir, "results");
    public Dictionary<string, string> Environment => new() { ["SHARPEDGE_RESULTS"] = Results };

    public string Spec(string yaml, string file = "spec.yaml")
    {
        var path = Path.Combine(Dir, file);
        File.WriteAllText(path, yaml);
        return path;
    }

    public CliRunner.Result Run(params string[] args) => CliRunner.RunWithEnvironment(Environment, args);

    public Process Start(params string[] args) => CliRunner.Start(Environment, args);

    public JsonElement Status(string sweep)
    {
        var r = Run("sweep", "status", sweep, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        return JsonDocument.Parse(r.Stdout).RootElement.Clone();
    }

    public IReadOnlyList<SweepTaskRecord> Tasks(string sweep)
    {
        using var store = RunStore.Open(Results, readOnly: true);
        return store.Tasks(sweep);
    }

    /// <summary>The tasks, or none while the sweep process is still creating the store.</summary>
    private IReadOnlyList<SweepTaskRecord> TasksSoFar(string sweep)
    {
        if (!File.Exists(Path.Combine(Results, RunStore.FileName))) return [];
        try
        {
            return Tasks(sweep);
        }
        catch (RunStoreException)
        {
            return [];
        }
    }

    /// <summary>Waits until the task with this label runs in a process of its own; returns it.</summary>
    public SweepTaskRecord WaitUntilRunning(string sweep, string label, Process? runner = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (TasksSoFar(sweep).FirstOrDefault(t => t.Label == label) is { State: SweepTaskState.Running, Pid: not null } task)
                return task;
            if (runner is { HasExited: true }) throw new InvalidOperationException($"the sweep process ended (exit code {runner.ExitCode}) before task {label} ran");
            Thread.Sleep(100);
        }
        throw new TimeoutException($"task {label} of sweep {sweep} did not start within 120 s");
    }

    public static bool Exited(int pid, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                if (p.HasExited) return true;
            }
            catch (ArgumentException)
            {
                return true;
            }
            Thread.Sleep(100);
        }
        return false;
    }
}
