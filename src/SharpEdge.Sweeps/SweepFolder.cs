namespace SharpEdge.Sweeps;

/// <summary>
/// Where a sweep keeps its files: <c>RESULTS/sweeps/NAME/</c>, with one folder per task
/// (<c>tasks/KEY/</c>: the task's own <c>runs.db</c>, its stdout and stderr, and <c>outcome.json</c>) and the
/// Slurm batch scripts and logs under <c>slurm/</c>. A task writes only its own folder; only the process that
/// collects writes the main run store.
/// </summary>
public sealed record SweepFolder(string Root)
{
    public const string OutcomeFile = "outcome.json", StdoutFile = "stdout.json", StderrFile = "stderr.log";

    public static SweepFolder For(string resultsFolder, string sweepName) => new(Path.Combine(Path.GetFullPath(resultsFolder), "sweeps", sweepName));

    public string Task(string key) => Path.Combine(Root, "tasks", key);

    public string Slurm => Path.Combine(Root, "slurm");
}
