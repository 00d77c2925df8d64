using System.CommandLine;
using System.Diagnostics;
using SharpEdge.Runs;
using SharpEdge.Sweeps;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>bench sweep</c>: the local backend's cost per task, measured on trivial tasks (each runs <c>/bin/true</c>
/// instead of a command), in a throw-away run store: claim, process start and wait, outcome marker, merge.
/// </summary>
public static class SweepBenchCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--tasks") { Description = "trivial tasks", DefaultValueFactory = _ => 500 };
        var workers = new Option<int>("--workers") { Description = "worker processes", DefaultValueFactory = _ => 2 };
        var json = CommonOptions.Json();
        var command = new Command("sweep", "Scheduling cost per task of the local sweep backend, on trivial tasks (/bin/true).") { count, workers, json };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(count), w = parse.GetValue(workers);
            if (n < 1 || w < 1) throw new ArgumentException("--tasks and --workers must be positive");
            var trivial = ProgramPath.Find("true") ?? throw new InvalidOperationException("no 'true' program on PATH");
            var folder = Path.Combine(Path.GetTempPath(), "sharpedge-bench-sweep-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                using var store = RunStore.Open(folder);
                var spec = new SweepSpec { Name = "bench", Command = "train", Axes = [new SweepAxis(["task"], [AxisValues.Count(0, n)])] };
                var sweep = new SweepRecord
                {
                    Name = spec.Name, Command = spec.Command, Spec = "", Folder = SweepFolder.For(folder, spec.Name).Root, WorkingDirectory = folder,
                };
                store.RegisterSweep(sweep, SweepExpansion.Expand(spec).Select(t => t.ToDraft()).ToList());
                var clock = Stopwatch.StartNew();
                var (done, failed, _) = new LocalPool(store, sweep, new TaskLauncher(trivial, []), w, 1, retries: 0).Run();
                double wall = clock.Elapsed.TotalSeconds;
                double inProcess = store.Tasks(sweep.Name).Sum(t => t.Seconds ?? 0);
                if (done != n) throw new InvalidOperationException($"bench sweep: {done} of {n} trivial tasks done, {failed} failed");
                double perTask = wall * w / n * 1e3, scheduling = Math.Max(0, wall * w - inProcess) / n * 1e3;
                CommandRunner.Log($"bench sweep: {n} trivial tasks, {w} workers in {wall:F2} s: {perTask:F1} ms of a worker per task, " +
                                  $"{scheduling:F1} ms of it outside the task's process (claim, marker, merge)");
                if (parse.GetValue(json))
                    CommandRunner.WriteJson(new { tasks = n, workers = w, seconds = wall, ms_per_task = perTask, scheduling_ms_per_task = scheduling });
                else Console.WriteLine($"{n} tasks × {w} workers: {perTask:F1} ms per task ({scheduling:F1} ms scheduling)");
            }
            finally
            {
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            }
        });
        return command;
    }
}
