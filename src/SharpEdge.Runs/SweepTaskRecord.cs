namespace SharpEdge.Runs;

/// <summary>
/// One task of a sweep as registered: its stable <see cref="Key"/>, its place in the spec's expansion, a short
/// label (<c>lr=0.5 eps=2</c>), the axis values that pick it (JSON object as text) and the command-line flags it
/// runs with.
/// </summary>
public sealed record SweepTaskDraft(string Key, int Position, string Label, string Axes, IReadOnlyList<string> Args);

/// <summary>One row of the <c>tasks</c> table: a draft plus where it stands (<see cref="SweepTaskState"/>).</summary>
public sealed record SweepTaskRecord
{
    public required string Sweep { get; init; }
    public required string Key { get; init; }
    public int Position { get; init; }
    public required string Label { get; init; }
    /// <summary>The axis values of this task, a JSON object as text (<c>{"lr":"0.5","eps":"2"}</c>).</summary>
    public required string Axes { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    public SweepTaskState State { get; init; }
    /// <summary>Attempts since the task was last queued (a retry or <c>sweep resume</c> counts anew).</summary>
    public int Attempts { get; init; }
    public string? Error { get; init; }
    /// <summary>The run the task produced, once collected into this store.</summary>
    public long? RunId { get; init; }
    public string? Host { get; init; }
    public int? RunnerPid { get; init; }
    public int? Pid { get; init; }
    /// <summary>The Slurm array element (<c>JOBID_INDEX</c>) running it, for the Slurm backend.</summary>
    public string? Job { get; init; }
    public DateTime? Started { get; init; }
    public DateTime? Finished { get; init; }
    public double? Seconds { get; init; }
}
