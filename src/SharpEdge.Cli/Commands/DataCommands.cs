using System.CommandLine;
using System.Diagnostics;
using SharpEdge.Data;
using SharpEdge.Data.Download;
using SharpEdge.Data.Installation;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>data list</c>, <c>data fetch NAME</c> and <c>data import NAME PATH…</c>: what is installed where, official
/// downloads (resumed, verified), and installing local files. The data root is --data-dir, else
/// $SHARPEDGE_DATA, else the per-user default (<see cref="DataFolder"/>).
/// </summary>
public static class DataCommands
{
    public static Command Create()
    {
        var command = new Command("data", "List, download and import data sets.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Fetch());
        command.Subcommands.Add(Import());
        return command;
    }

    private static Option<string?> DataDir() => new("--data-dir") { Description = $"data root (default: ${DataFolder.Variable}, else {DataFolder.Default})" };

    private static Argument<string> NameArgument() => new("NAME") { Description = $"data set: {string.Join(", ", Datasets.Names)}" };

    private static Command List()
    {
        var dataDir = DataDir();
        var json = CommonOptions.Json();
        var command = new Command("list", "Show every data set, where it is read from, and whether it is installed.") { dataDir, json };
        command.SetAction(parse =>
        {
            var root = DataFolder.Resolve(parse.GetValue(dataDir));
            var sets = Datasets.All.Select(s => InstalledDataset(s, root)).ToArray();
            if (parse.GetValue(json))
            {
                CommandRunner.WriteJson(new
                {
                    data_root = root,
                    origin = DataFolder.Origin(parse.GetValue(dataDir)),
                    datasets = sets.Select(s => new { s.Name, s.Installed, s.Folder, s.Files, s.Bytes, s.Description }),
                });
                return;
            }
            Console.WriteLine($"data root: {root} ({DataFolder.Origin(parse.GetValue(dataDir))})");
            foreach (var s in sets)
                Console.WriteLine($"  {s.Name,-13} {(s.Installed ? "installed" : "missing"),-10} {(s.Installed && s.Files > 0 ? FormatBytes(s.Bytes) : ""),10}  {s.Folder}");
        });
        return command;
    }

    private static InstalledDataset InstalledDataset(Data.Sources.DatasetSource source, string root) => DataInstaller.Describe(source, root);

    private static Command Fetch()
    {
        var name = NameArgument();
        var dataDir = DataDir();
        var json = CommonOptions.Json();
        var command = new Command("fetch", "Download a data set from its official URLs (resumes, verifies checksums) and install it.") { name, dataDir, json };
        command.SetAction(parse =>
        {
            var source = Datasets.Get(parse.GetValue(name)!);
            var installer = new DataInstaller(DataFolder.Resolve(parse.GetValue(dataDir)), CommandRunner.Log)
            {
                Downloader = new Downloader { Progress = ProgressPrinter(), Log = CommandRunner.Log },
            };
            Report(installer.Fetch(source), parse.GetValue(json));
        });
        return command;
    }

    private static Command Import()
    {
        var name = NameArgument();
        var paths = new Argument<string[]>("PATH") { Description = "folders, files or archives (.tar.gz, .tgz, .zip) holding the data set", Arity = ArgumentArity.OneOrMore };
        var dataDir = DataDir();
        var json = CommonOptions.Json();
        var command = new Command("import", "Install a data set from local files, e.g. `data import fmnist /usr/share/datasets/fashion-mnist`.")
        {
            name, paths, dataDir, json,
        };
        command.SetAction(parse =>
        {
            var source = Datasets.Get(parse.GetValue(name)!);
            var installer = new DataInstaller(DataFolder.Resolve(parse.GetValue(dataDir)), CommandRunner.Log);
            Report(installer.Import(source, parse.GetValue(paths)!), parse.GetValue(json));
        });
        return command;
    }

    private static void Report(InstalledDataset installed, bool json)
    {
        if (json) CommandRunner.WriteJson(new { installed.Name, installed.Folder, installed.Files, installed.Bytes });
        else Console.WriteLine($"{installed.Name}: {installed.Folder} ({installed.Files} files, {FormatBytes(installed.Bytes)})");
    }

    /// <summary>One stderr line per file every two seconds, and at the end.</summary>
    private static Action<DownloadProgress> ProgressPrinter()
    {
        var clock = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        long lastBytes = 0;
        return p =>
        {
            var now = clock.Elapsed;
            bool done = p.TotalBytes is { } t && p.Bytes >= t;
            if (!done && now - last < TimeSpan.FromSeconds(2)) return;
            var rate = (p.Bytes - lastBytes) / Math.Max((now - last).TotalSeconds, 1e-3);
            (last, lastBytes) = (now, p.Bytes);
            var of = p.TotalBytes is { } total ? $" of {FormatBytes(total)} ({p.Fraction:P0})" : "";
            CommandRunner.Log($"{p.FileName}: {FormatBytes(p.Bytes)}{of}, {FormatBytes((long)rate)}/s");
        };
    }

    private static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):F1} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):F1} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):F1} KiB",
        _ => $"{bytes} B",
    };
}
