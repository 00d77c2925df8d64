using System.Globalization;
using System.Text;

namespace SharpEdge.Sweeps.Slurm;

/// <summary>
/// The batch script of one job array: <c>#SBATCH</c> resources, then one line that runs array element
/// <c>$SLURM_ARRAY_TASK_ID</c> of the chunk with this very program.
/// </summary>
public static class SlurmScript
{
    public static string Text(string jobName, int elements, int? throttle, int threads, SlurmSettings settings, string logFolder,
                              string workingDirectory, TaskLauncher launcher, string chunkPath)
    {
        if (elements < 1) throw new ArgumentException("an array needs at least one element");
        foreach (var (what, path) in new[] { ("log folder", logFolder), ("working folder", workingDirectory) })
            if (path.Any(char.IsWhiteSpace)) throw new ArgumentException($"the {what} '{path}' contains white space, which #SBATCH lines cannot hold");
        var text = new StringBuilder();
        text.Append("#!/bin/bash\n");
        void Option(string name, string? value)
        {
            if (value is null) return;
            if (value.Any(char.IsWhiteSpace) || value.Length == 0) throw new ArgumentException($"Slurm option --{name} '{value}' must be one word");
            text.Append($"#SBATCH --{name}={value}\n");
        }
        Option("job-name", jobName);
        Option("array", $"0-{elements - 1}" + (throttle is int t ? $"%{t}" : ""));
        Option("ntasks", "1");
        Option("cpus-per-task", threads.ToString(CultureInfo.InvariantCulture));
        Option("time", settings.Time);
        Option("mem", settings.Memory);
        Option("partition", settings.Partition);
        Option("account", settings.Account);
        Option("gres", settings.Gres);
        Option("qos", settings.Qos);
        Option("constraint", settings.Constraint);
        Option("chdir", workingDirectory);
        Option("output", Path.Combine(logFolder, "%A_%a.out"));
        Option("export", "ALL");
        text.Append("# element i runs task i of the chunk; only files in that task's folder are written\n");
        text.Append("exec ").Append(string.Join(' ', launcher.Words.Select(Quote)))
            .Append(" sweep exec ").Append(Quote(chunkPath)).Append(" --index \"$SLURM_ARRAY_TASK_ID\"\n");
        return text.ToString();
    }

    /// <summary>A word for bash: single quotes, with embedded single quotes closed and escaped.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";

    /// <summary>Splits <paramref name="count"/> tasks into arrays of at most <paramref name="maxArraySize"/> elements (indices 0 … size − 1).</summary>
    public static IEnumerable<(int Start, int Count)> Chunks(int count, int maxArraySize)
    {
        if (maxArraySize < 1) throw new ArgumentException($"MaxArraySize must be positive, got {maxArraySize}");
        for (int start = 0; start < count; start += maxArraySize) yield return (start, Math.Min(maxArraySize, count - start));
    }
}
