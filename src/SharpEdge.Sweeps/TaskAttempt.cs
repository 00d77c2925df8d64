using System.Diagnostics;
using System.Globalization;

namespace SharpEdge.Sweeps;

/// <summary>
/// Runs one attempt of a task as its own process: <c>sharpedge COMMAND FLAGS --threads T --results FOLDER --json</c>,
/// with a fresh task folder as its run store, stdout and stderr in files there, and <c>outcome.json</c> written
/// when it exits. A crash or <c>kill -9</c> of the process touches only this folder. The task's stdin is a pipe
/// held open by this process: the task exits when it closes, so a killed sweep leaves no task running
/// (<c>SHARPEDGE_SWEEP_TASK=1</c> tells it to watch).
/// </summary>
public static class TaskAttempt
{
    public const string TaskEnvironmentVariable = "SHARPEDGE_SWEEP_TASK";
    private const int PollMilliseconds = 1000;

    /// <param name="stillWanted">asked about once a second while the task runs; false stops it (a cancelled sweep)</param>
    /// <param name="started">called with the task's process id once it runs</param>
    /// <param name="environment">variables set for the task besides this process's own (a worker's GPU)</param>
    public static TaskOutcome Run(TaskLauncher launcher, IReadOnlyList<string> command, string key, IReadOnlyList<string> args, string folder,
                                  int threads, string workingDirectory, Func<bool>? stillWanted = null, Action<int>? started = null,
                                  CancellationToken cancel = default, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); // a previous attempt's partial files
        Directory.CreateDirectory(folder);
        string threadText = threads.ToString(CultureInfo.InvariantCulture);
        var start = launcher.StartInfo([.. command, .. args, "--threads", threadText, "--results", folder, "--json"]);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = workingDirectory;
        start.Environment[TaskEnvironmentVariable] = "1";
        start.Environment["SHARPEDGE_THREADS"] = threadText;
        if (environment is not null)
            foreach (var (name, value) in environment) start.Environment[name] = value;
        var clock = Stopwatch.StartNew();
        string? stopReason = null;
        int exitCode;
        using (var stdout = File.Create(Path.Combine(folder, SweepFolder.StdoutFile)))
        using (var stderr = File.Create(Path.Combine(folder, SweepFolder.StderrFile)))
        {
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {launcher.FileName}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                var failed = new TaskOutcome(key, 127, clock.Elapsed.TotalSeconds, $"could not start {launcher.FileName}: {e.Message}", Environment.MachineName, DateTime.UtcNow);
                failed.Write(folder);
                return failed;
            }
            using (process)
            {
                started?.Invoke(process.Id);
                var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
                var copyErr = process.StandardError.BaseStream.CopyToAsync(stderr);
                while (!process.WaitForExit(PollMilliseconds))
                {
                    stopReason = cancel.IsCancellationRequested ? "stopped (the sweep process was interrupted)"
                        : stillWanted is not null && !stillWanted() ? "stopped (cancelled)" : null;
                    if (stopReason is null) continue;
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                    break;
                }
                process.WaitForExit();
                Task.WaitAll(copyOut, copyErr);
                exitCode = process.ExitCode;
                process.StandardInput.Dispose();
            }
        }
        var error = exitCode == 0 && stopReason is null ? null : stopReason ?? Describe(exitCode, Path.Combine(folder, SweepFolder.StderrFile));
        var outcome = new TaskOutcome(key, stopReason is null ? exitCode : 143, clock.Elapsed.TotalSeconds, error, Environment.MachineName, DateTime.UtcNow);
        outcome.Write(folder);
        return outcome;
    }

    /// <summary>The task's own error line (<c>sharpedge: error: …</c>), or its last line, and how it ended.</summary>
    private static string Describe(int exitCode, string stderrPath)
    {
        var lines = File.Exists(stderrPath) ? File.ReadLines(stderrPath).Where(l => !string.IsNullOrWhiteSpace(l)).TakeLast(50).ToList() : [];
        var said = lines.LastOrDefault(l => l.StartsWith("sharpedge:", StringComparison.Ordinal)) ?? lines.LastOrDefault();
        var how = exitCode > 128 && exitCode < 160 ? $"killed by signal {exitCode - 128}" : $"exit code {exitCode}";
        return said is null ? how : $"{how}: {said.Trim()}";
    }
}
