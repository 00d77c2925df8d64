using System.CommandLine;
using System.Text.Json.Nodes;
using SharpEdge.Runs;
using SharpEdge.Sweeps;
using SharpEdge.Sweeps.Slurm;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>sweep run|status|resume|cancel|collect|plot</c>: a YAML spec expanded into tasks of <c>train</c> or
/// <c>phase train</c>, their state kept in the run store, run by a local pool of worker processes or as Slurm job
/// arrays (docs/sweeps.md).
/// </summary>
public static class SweepCommands
{
    /// <param name="root">the whole command tree: every task's flags are checked against its command before anything runs</param>
    public static Command Create(RootCommand root)
    {
        var command = new Command("sweep", "Run a YAML sweep of train or phase train tasks on local worker processes or Slurm job arrays; resumable.");
        command.Subcommands.Add(Run(root));
        command.Subcommands.Add(Status());
        command.Subcommands.Add(Resume());
        command.Subcommands.Add(Cancel());
        command.Subcommands.Add(Collect());
        command.Subcommands.Add(SweepPlotCommand.Create());
        command.Subcommands.Add(Exec());
        return command;
    }

    private static Command Run(RootCommand root)
    {
        var spec = new Argument<string>("SPEC") { Description = "the sweep spec, a YAML file (docs/sweeps.md); tasks run in its folder, so relative paths in it are relative to it" };
        var options = new SweepOptions();
        var command = new Command("run", "Register the spec's tasks (those already known are kept as they are) and run every pending one; run again, it does nothing more.") { spec };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var specPath = parse.GetValue(spec)!;
            var sweepSpec = SweepSpecReader.ReadFile(specPath);
            var tasks = SweepExpansion.Expand(sweepSpec);
            Validate(root, sweepSpec, tasks, specPath);
            var backend = parse.GetValue(options.Backend) ?? "local";
            options.GpuList(parse, backend);   // a bad --gpus is refused before anything is registered
            var slurm = backend == "slurm" ? SlurmClient.Find() : null; // before anything is registered or submitted
            var results = ResultsFolder.Resolve(parse.GetValue(options.Results));
            using var store = RunStore.Open(results);
            var sweep = new SweepRecord
            {
                Name = sweepSpec.Name, Command = sweepSpec.Command, Spec = sweepSpec.Text, Backend = backend,
                Folder = SweepFolder.For(results, sweepSpec.Name).Root, WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(specPath))!,
            };
            var (added, known) = store.RegisterSweep(sweep, tasks.Select(t => t.ToDraft()).ToList());
            CommandRunner.Log($"sweep {sweep.Name}: {tasks.Count} task(s) in the spec, {added} new, {known} known; folder {sweep.Folder}");
            var abandoned = store.AbandonedTasks(sweep.Name);
            if (abandoned.Count > 0)
                CommandRunner.Log($"sweep {sweep.Name}: {abandoned.Count} task(s) were left running by a sweep process that died; `sweep resume {sweep.Name}` runs them again");
            var outcome = SweepExecution.Run(store, store.FindSweep(sweep.Name)!, sweepSpec, backend, options, parse, slurm);
            return Finish(store, sweep.Name, outcome, parse.GetValue(options.Json), added);
        });
        return command;
    }

    private static Command Resume()
    {
        var name = new Argument<string>("NAME") { Description = "the sweep's name" };
        var options = new SweepOptions();
        var command = new Command("resume", "Re-queue failed and cancelled tasks and those left running by a sweep process that died (or a lost Slurm element), then run them.") { name };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            using var store = RunStore.Open(parse.GetValue(options.Results));
            var sweep = FindSweep(store, parse.GetValue(name)!);
            var spec = SweepSpecReader.Parse(sweep.Spec, $"sweep {sweep.Name}");
            var backend = parse.GetValue(options.Backend) ?? sweep.Backend;
            options.GpuList(parse, backend);
            var slurm = backend == "slurm" || Submitted(store, sweep) ? SlurmClient.Find() : null;
            if (slurm is not null)
                new SlurmBackend(store, sweep, slurm, TaskLauncher.Self(), spec.Slurm, 1, null, 0) { Log = CommandRunner.Log }.Collect();
            TaskCollector.CollectFinished(store, sweep);
            var live = store.Tasks(sweep.Name, SweepTaskState.Running).Where(t => t.Job is null).Select(t => t.Key)
                .Except(store.AbandonedTasks(sweep.Name).Select(t => t.Key)).Count();
            if (live > 0) CommandRunner.Log($"sweep {sweep.Name}: {live} task(s) are running in a live sweep process (pid {sweep.Pid}); they are left to it");
            var requeue = store.Tasks(sweep.Name).Where(t => t.State is SweepTaskState.Failed or SweepTaskState.Cancelled).Select(t => t.Key)
                .Concat(store.AbandonedTasks(sweep.Name).Select(t => t.Key)).ToList();
            int requeued = store.RequeueTasks(sweep.Name, requeue);
            CommandRunner.Log($"sweep {sweep.Name}: {requeued} task(s) re-queued, {store.Tasks(sweep.Name, SweepTaskState.Pending).Count} pending");
            if (backend != sweep.Backend) store.RegisterSweep(sweep with { Backend = backend }, []);
            var outcome = SweepExecution.Run(store, store.FindSweep(sweep.Name)!, spec, backend, options, parse, slurm);
            return Finish(store, sweep.Name, outcome, parse.GetValue(options.Json), added: 0);
        });
        return command;
    }

    private static Command Status()
    {
        var name = new Argument<string>("NAME") { Description = "the sweep's name" };
        var results = RunsCommands.ResultsOption();
        var json = CommonOptions.Json();
        var command = new Command("status", "Tasks per state, and one line per task (state, attempts, run, error).") { name, results, json };
        command.SetAction(parse =>
        {
            using var store = OpenExisting(parse.GetValue(results));
            var sweep = FindSweep(store, parse.GetValue(name)!);
            var tasks = store.Tasks(sweep.Name);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(Describe(store, sweep).ToJsonString(new() { WriteIndented = true }));
                return;
            }
            Console.WriteLine($"sweep {sweep.Name}: {sweep.Command}, {tasks.Count} tasks, backend {sweep.Backend}, folder {sweep.Folder}");
            Console.WriteLine("  " + string.Join(", ", Counts(tasks).Select(kv => $"{kv.Key} {kv.Value}")));
            var abandoned = store.AbandonedTasks(sweep.Name).Select(t => t.Key).ToHashSet();
            foreach (var t in tasks)
                Console.WriteLine($"  {t.Key}  {t.State.ToText(),-9} {t.Attempts,2}  {t.Label,-40} {(t.RunId is long r ? $"run {r}" : t.Job ?? "")}  " +
                                  (abandoned.Contains(t.Key) ? "its sweep process is gone (sweep resume runs it again)" : t.Error));
        });
        return command;
    }

    private static Command Cancel()
    {
        var name = new Argument<string>("NAME") { Description = "the sweep's name" };
        var results = RunsCommands.ResultsOption();
        var json = CommonOptions.Json();
        var command = new Command("cancel", "Cancel the pending and running tasks: a local sweep process stops them within a second; Slurm elements are scancel'led.") { name, results, json };
        command.SetAction(parse =>
        {
            using var store = OpenExisting(parse.GetValue(results));
            var sweep = FindSweep(store, parse.GetValue(name)!);
            int cancelled = Submitted(store, sweep)
                ? SlurmBackend.Cancel(store, sweep.Name, SlurmClient.Find())
                : store.CancelTasks(sweep.Name).Count;
            CommandRunner.Log($"sweep {sweep.Name}: {cancelled} task(s) cancelled; `sweep resume {sweep.Name}` runs them again");
            if (parse.GetValue(json)) Console.Out.WriteLine(Describe(store, sweep).ToJsonString(new() { WriteIndented = true }));
        });
        return command;
    }

    private static Command Collect()
    {
        var name = new Argument<string>("NAME") { Description = "the sweep's name" };
        var results = RunsCommands.ResultsOption();
        var json = CommonOptions.Json();
        var command = new Command("collect", "Merge finished tasks' results (their own run stores) into the run store; idempotent.") { name, results, json };
        command.SetAction(parse =>
        {
            using var store = OpenExisting(parse.GetValue(results));
            var sweep = FindSweep(store, parse.GetValue(name)!);
            int before = store.Tasks(sweep.Name, SweepTaskState.Done).Count;
            if (Submitted(store, sweep))
                new SlurmBackend(store, sweep, SlurmClient.Find(), TaskLauncher.Self(), new SlurmSettings(), 1, null, 0) { Log = CommandRunner.Log }.Collect();
            TaskCollector.CollectFinished(store, sweep);
            int merged = store.Tasks(sweep.Name, SweepTaskState.Done).Count - before;
            CommandRunner.Log($"sweep {sweep.Name}: {merged} task(s) merged into {store.DatabasePath}");
            if (parse.GetValue(json)) Console.Out.WriteLine(Describe(store, sweep).ToJsonString(new() { WriteIndented = true }));
        });
        return command;
    }

    /// <summary>One Slurm array element: runs task INDEX of the chunk into its task folder (the batch scripts call this).</summary>
    private static Command Exec()
    {
        var chunk = new Argument<string>("CHUNK") { Description = "array chunk (.json) written by the Slurm backend" };
        var index = new Option<int>("--index") { Description = "the element's index in the chunk ($SLURM_ARRAY_TASK_ID)", Required = true };
        var command = new Command("exec", "Run one task of a Slurm array chunk (used by the generated batch scripts).") { chunk, index };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var c = SlurmChunk.Read(parse.GetValue(chunk)!);
            int i = parse.GetValue(index);
            if (i < 0 || i >= c.Tasks.Count) throw new ArgumentException($"--index {i} is outside the chunk's {c.Tasks.Count} tasks");
            var task = c.Tasks[i];
            var outcome = TaskAttempt.Run(TaskLauncher.Self(), c.Command, task.Key, task.Args, new SweepFolder(c.Folder).Task(task.Key), c.Threads, c.WorkingDirectory);
            CommandRunner.Log($"sweep {c.Sweep}: task {task.Key} {(outcome.Succeeded ? "done" : "failed: " + outcome.Error)} in {outcome.Seconds:F1} s");
            return outcome.Succeeded ? 0 : 1;
        });
        return command;
    }

    /// <summary>Every task's command line must parse as the target command's (unknown flags, bad values, missing required ones).</summary>
    private static void Validate(RootCommand root, SweepSpec spec, IReadOnlyList<SweepTask> tasks, string source)
    {
        foreach (var task in tasks)
        {
            var parse = root.Parse([.. spec.CommandWords, .. task.Args]);
            if (parse.Errors.Count > 0)
                throw new ArgumentException($"{source}: task #{task.Position} ({(task.Label.Length > 0 ? task.Label : "no axes")}): `{spec.Command}` refuses its flags: {parse.Errors[0].Message}");
        }
    }

    internal static RunStore OpenExisting(string? results)
    {
        var path = Path.Combine(ResultsFolder.Resolve(results), RunStore.FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no run store yet (sweeps are recorded by `sweep run`)");
        return RunStore.Open(results);
    }

    internal static SweepRecord FindSweep(RunStore store, string name) =>
        store.FindSweep(name) ?? throw new ArgumentException($"no sweep '{name}' in {store.DatabasePath}" +
            (store.ListSweeps() is { Count: > 0 } all ? $" (sweeps: {string.Join(", ", all.Select(s => s.Name))})" : " (no sweeps yet)"));

    /// <summary>Whether the sweep has tasks on Slurm (queued, running, or lost there).</summary>
    private static bool Submitted(RunStore store, SweepRecord sweep) =>
        sweep.Backend == "slurm" || store.Tasks(sweep.Name).Any(t => t.Job is not null && t.State == SweepTaskState.Running);

    private static int Finish(RunStore store, string name, SweepExecution.Outcome outcome, bool json, int added)
    {
        var sweep = store.FindSweep(name)!;
        var tasks = store.Tasks(name);
        var counts = Counts(tasks);
        CommandRunner.Log($"sweep {name}: " + string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}")) +
                          (outcome.Jobs.Count > 0 ? $"; Slurm jobs {string.Join(", ", outcome.Jobs)}" : ""));
        if (json)
        {
            var document = Describe(store, sweep);
            document["added"] = added;
            document["jobs"] = new JsonArray(outcome.Jobs.Select(j => (JsonNode)j).ToArray());
            Console.Out.WriteLine(document.ToJsonString(new() { WriteIndented = true }));
        }
        if (outcome.Interrupted) return 130;
        int failed = counts[SweepTaskState.Failed.ToText()];
        if (failed > 0)
        {
            Console.Error.WriteLine($"sharpedge: error: sweep {name}: {failed} task(s) failed (see `sharpedge sweep status {name}`; `sweep resume {name}` retries them)");
            return 1;
        }
        return 0;
    }

    internal static Dictionary<string, int> Counts(IReadOnlyList<SweepTaskRecord> tasks) =>
        SweepTaskStateText.All.ToDictionary(s => s.ToText(), s => tasks.Count(t => t.State == s));

    /// <summary>The scripting contract of <c>sweep status --json</c>: counts per state and one entry per task.</summary>
    internal static JsonObject Describe(RunStore store, SweepRecord sweep)
    {
        var tasks = store.Tasks(sweep.Name);
        var abandoned = store.ReadOnly ? [] : store.AbandonedTasks(sweep.Name).Select(t => t.Key).ToHashSet();
        var counts = new JsonObject();
        foreach (var (state, n) in Counts(tasks)) counts[state] = n;
        return new JsonObject
        {
            ["sweep"] = sweep.Name, ["command"] = sweep.Command, ["backend"] = sweep.Backend, ["folder"] = sweep.Folder, ["total"] = tasks.Count, ["counts"] = counts,
            ["tasks"] = new JsonArray(tasks.Select(t => (JsonNode)new JsonObject
            {
                ["key"] = t.Key, ["position"] = t.Position, ["label"] = t.Label, ["axes"] = JsonNode.Parse(t.Axes), ["args"] = new JsonArray(t.Args.Select(a => (JsonNode)a).ToArray()),
                ["state"] = t.State.ToText(), ["attempts"] = t.Attempts, ["error"] = t.Error, ["run"] = t.RunId, ["job"] = t.Job, ["seconds"] = t.Seconds,
                ["folder"] = new SweepFolder(sweep.Folder).Task(t.Key), ["abandoned"] = abandoned.Contains(t.Key),
            }).ToArray()),
        };
    }
}
