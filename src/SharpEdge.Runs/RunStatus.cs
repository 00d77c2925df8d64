namespace SharpEdge.Runs;

/// <summary>
/// Life cycle of a run. <see cref="Running"/> is the only non-final state; <see cref="Interrupted"/> is what a
/// run that was still 'running' becomes once its process is found dead (<see cref="RunStore.MarkInterrupted"/>).
/// Stored as the lower-case name.
/// </summary>
public enum RunStatus
{
    Running,
    Finished,
    Diverged,
    Failed,
    Interrupted,
}

public static class RunStatusText
{
    public static string ToText(this RunStatus status) => status switch
    {
        RunStatus.Running => "running",
        RunStatus.Finished => "finished",
        RunStatus.Diverged => "diverged",
        RunStatus.Failed => "failed",
        RunStatus.Interrupted => "interrupted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown run status"),
    };

    public static RunStatus Parse(string text) => text switch
    {
        "running" => RunStatus.Running,
        "finished" => RunStatus.Finished,
        "diverged" => RunStatus.Diverged,
        "failed" => RunStatus.Failed,
        "interrupted" => RunStatus.Interrupted,
        _ => throw new FormatException($"unknown run status '{text}' (expected running, finished, diverged, failed or interrupted)"),
    };

    public static bool IsFinal(this RunStatus status) => status != RunStatus.Running;
}
