using System.Diagnostics;
using System.Globalization;
using SharpEdge.Runs;

namespace SharpEdge.Sweeps.Slurm;

/// <summary>
/// Slurm's command-line tools, run as processes: <c>sbatch</c> submits, <c>squeue</c> lists what is queued or
/// running, <c>sacct</c> tells how elements ended (where accounting is enabled), <c>scancel</c> cancels,
/// <c>scontrol</c> reads the configuration.
/// </summary>
public sealed class SlurmClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>A client when <c>sbatch</c> is on PATH; otherwise an error naming what is missing.</summary>
    public static SlurmClient Find()
    {
        foreach (var tool in new[] { "sbatch", "squeue", "scancel" })
            if (ProgramPath.Find(tool) is null)
                throw new InvalidOperationException($"the slurm backend needs Slurm's '{tool}' on PATH, and there is none here (install slurm-client, or use --backend local)");
        return new SlurmClient();
    }

    /// <summary>Submits a batch script; returns the job id.</summary>
    public string Submit(string script)
    {
        var (code, output, error) = Run("sbatch", "--parsable", script);
        if (code != 0) throw new InvalidOperationException($"sbatch {script} failed (exit code {code}): {error.Trim()}");
        var id = output.Trim().Split(';')[0];
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new InvalidOperationException($"sbatch {script} answered '{output.Trim()}', not a job id");
        return id;
    }

    /// <summary>The array elements of these jobs still queued or running, as <c>JOB_INDEX</c> → state.</summary>
    public IReadOnlyDictionary<string, string> Active(IReadOnlyCollection<string> jobs)
    {
        if (jobs.Count == 0) return new Dictionary<string, string>();
        var (code, output, error) = Run("squeue", "-h", "-r", "-j", string.Join(',', jobs), "-o", "%i|%T");
        // squeue fails with 'Invalid job id' once all the named jobs have left the queue
        if (code != 0 && !error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"squeue failed (exit code {code}): {error.Trim()}");
        var active = new Dictionary<string, string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|');
            if (parts.Length == 2) active[parts[0]] = parts[1];
        }
        return active;
    }

    /// <summary>How array elements ended (<c>JOB_INDEX</c> → state, e.g. CANCELLED, TIMEOUT), from sacct; empty without accounting.</summary>
    public IReadOnlyDictionary<string, string> Ended(IReadOnlyCollection<string> jobs)
    {
        var ended = new Dictionary<string, string>();
        if (jobs.Count == 0 || ProgramPath.Find("sacct") is null) return ended;
        var (code, output, _) = Run("sacct", "-n", "-P", "-X", "-j", string.Join(',', jobs), "-o", "JobID,State");
        if (code != 0) return ended;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|');
            if (parts.Length == 2) ended[parts[0]] = parts[1];
        }
        return ended;
    }

    /// <summary>Cancels jobs or single array elements (<c>JOB_INDEX</c>).</summary>
    public void Cancel(IReadOnlyCollection<string> jobsOrElements)
    {
        if (jobsOrElements.Count == 0) return;
        var (code, _, error) = Run("scancel", [.. jobsOrElements]);
        if (code != 0) throw new InvalidOperationException($"scancel failed (exit code {code}): {error.Trim()}");
    }

    /// <summary>The cluster's MaxArraySize (1001 when it cannot be read: Slurm's default).</summary>
    public int MaxArraySize()
    {
        if (ProgramPath.Find("scontrol") is null) return 1001;
        var (code, output, _) = Run("scontrol", "show", "config");
        if (code != 0) return 1001;
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0] == "MaxArraySize" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0)
                return size;
        }
        return 1001;
    }

    private static (int Code, string Output, string Error) Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{tool} did not answer within {Timeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
