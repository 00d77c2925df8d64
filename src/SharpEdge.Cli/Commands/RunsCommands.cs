using System.CommandLine;
using System.Text.Json.Nodes;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Commands;

/// <summary><c>runs list|show|export</c>: what the run store holds, for people and for scripts.</summary>
public static class RunsCommands
{
    public static Command Create()
    {
        var command = new Command("runs", "List, inspect and export the runs recorded in $SHARPEDGE_RESULTS/runs.db.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Export());
        return command;
    }

    internal static Option<string?> ResultsOption() => new("--results") { Description = "run store folder (default $SHARPEDGE_RESULTS or ./results)" };

    internal static RunStore OpenStore(string? folder)
    {
        var path = Path.Combine(ResultsFolder.Resolve(folder), "runs.db");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no run store yet (runs are recorded by train, phase train and phase sweep)");
        // Runs whose process died (kill -9, power loss) still say 'running': mark them interrupted first. That needs
        // write access (and migrates an older store); a store we may only read is shown as it is.
        try
        {
            using var writable = RunStore.Open(folder);
            writable.MarkInterrupted();
        }
        catch (RunStoreException)
        {
        }
        return RunStore.Open(folder, readOnly: true);
    }

    private static RunRecord FindRun(RunStore store, string idOrName) =>
        store.FindRun(idOrName) ?? throw new ArgumentException($"no run '{idOrName}' in {store.DatabasePath} (see `sharpedge runs list`)");

    /// <summary>The scripting contract: id, name, status, kind, config, timings, newest last.</summary>
    private static JsonObject Describe(RunRecord run) => new()
    {
        ["id"] = run.Id, ["name"] = run.Name, ["kind"] = run.Kind, ["status"] = run.Status.ToText(), ["config"] = run.Config.DeepClone(),
        ["created"] = run.Created.ToString("O"), ["seconds"] = run.Seconds, ["parent"] = run.ParentId, ["fork_step"] = run.ForkStep, ["folder"] = run.Folder, ["error"] = run.Error,
        ["code_version"] = run.CodeVersion,
    };

    private static Command List()
    {
        var results = ResultsOption();
        var kind = new Option<string?>("--kind") { Description = "only runs of this kind (train, phase)" };
        var json = CommonOptions.Json();
        var command = new Command("list", "All runs, newest last.") { results, kind, json };
        command.SetAction(parse =>
        {
            using var store = OpenStore(parse.GetValue(results));
            var runs = store.ListRuns(new RunFilter { Kind = parse.GetValue(kind) });
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(new JsonArray(runs.Select(r => (JsonNode)Describe(r)).ToArray()).ToJsonString(new() { WriteIndented = true }));
                return;
            }
            foreach (var r in runs)
                Console.WriteLine($"{r.Id,5}  {r.Status.ToText(),-11} {r.Kind,-6} {r.Name,-48} {r.Created:yyyy-MM-dd HH:mm}  {(r.Seconds is { } s ? $"{s:F1} s" : "")}");
        });
        return command;
    }

    private static Command Show()
    {
        var run = new Argument<string>("run") { Description = "run id or name" };
        var results = ResultsOption();
        var json = CommonOptions.Json();
        var command = new Command("show", "One run: configuration, status and its metrics (last value of each).") { run, results, json };
        command.SetAction(parse =>
        {
            using var store = OpenStore(parse.GetValue(results));
            var record = FindRun(store, parse.GetValue(run)!);
            var description = Describe(record);
            var metrics = new JsonObject();
            foreach (var name in store.MetricNames(record.Id))
            {
                var rows = store.Metrics(record.Id, name);
                var last = rows[^1];
                metrics[name] = new JsonObject { ["count"] = rows.Count, ["last_step"] = last.Step, ["last_value"] = double.IsFinite(last.Value) ? last.Value : null, ["last_se"] = last.Se };
            }
            description["metrics"] = metrics;
            Console.Out.WriteLine(description.ToJsonString(new() { WriteIndented = true }));
        });
        return command;
    }

    private static Command Export()
    {
        var run = new Argument<string>("run") { Description = "run id or name" };
        var results = ResultsOption();
        var format = new Option<string>("--format") { Description = "csv (long: step,epoch,metric,value,se,samples), parquet or results-txt (EoSS layout)", DefaultValueFactory = _ => "csv" }
            .AcceptOnlyFromAmong("csv", "parquet", "results-txt");
        var output = new Option<string>("--out") { Description = "file to write (atomically)", Required = true };
        var command = new Command("export", "Write a run's metrics as CSV, Parquet or an EoSS results.txt.") { run, results, format, output };
        command.SetAction(parse =>
        {
            using var store = OpenStore(parse.GetValue(results));
            var record = FindRun(store, parse.GetValue(run)!);
            var path = parse.GetValue(output)!;
            switch (parse.GetValue(format))
            {
                case "parquet": RunExport.Parquet(store, record.Id, path); break;
                case "results-txt": RunExport.ResultsTxt(store, record.Id, path); break;
                default: RunExport.Csv(store, record.Id, path); break;
            }
            CommandRunner.Log($"runs export: run {record.Id} ({record.Name}) written to {path}");
        });
        return command;
    }
}
