using System.Diagnostics;

namespace SharpEdge.Cli.Tests;

/// <summary>Runs the real CLI (the sharpedge.dll copied next to the tests) as a separate process.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => RunWithEnvironment([], args);

    public static Result RunWithEnvironment(Dictionary<string, string> environment, params string[] args)
    {
        using var process = Process.Start(StartInfo(environment, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sharpedge {string.Join(" ", args)} did not finish in 120 s");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the CLI without waiting (to signal or kill it); stdout and stderr are redirected, so read them or let them be.</summary>
    public static Process Start(Dictionary<string, string> environment, params string[] args)
    {
        var process = Process.Start(StartInfo(environment, args))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static ProcessStartInfo StartInfo(Dictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sharpedge.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["SHARPEDGE_THREADS"] = "1";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return start;
    }

    /// <summary>Runs Debian's /usr/bin/python3 (reference scripts in bench/), stdout and stderr together.</summary>
    public static (int Code, string Output) Python(params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["SHARPEDGE_THREADS"] = "1";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(entireProcessTree: true);
            return (-1, "timed out after 300 s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Whether Debian's Python has PyTorch and NumPy, which the cross-check scripts need.</summary>
    public static bool HasTorch() => File.Exists("/usr/bin/python3") && Python("-c", "import torch, numpy").Code == 0;

    /// <summary>The command the reference scripts use to run the CLI under test.</summary>
    public static string CommandLine => $"dotnet {Path.Combine(AppContext.BaseDirectory, "sharpedge.dll")}";

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SharpEdge.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root (SharpEdge.slnx) not found above the test assembly");
    }

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "sharpedge-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }
}
