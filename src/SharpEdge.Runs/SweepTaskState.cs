namespace SharpEdge.Runs;

/// <summary>
/// Life cycle of one sweep task: pending → running → done, or failed with its error. A failed task with retries
/// left goes back to pending; <c>sweep resume</c> re-queues failed and cancelled tasks and those left running by
/// a sweep process that died. Stored as the lower-case name.
/// </summary>
public enum SweepTaskState
{
    Pending,
    Running,
    Done,
    Failed,
    Cancelled,
}

public static class SweepTaskStateText
{
    public static readonly IReadOnlyList<SweepTaskState> All = Enum.GetValues<SweepTaskState>();

    public static string ToText(this SweepTaskState state) => state switch
    {
        SweepTaskState.Pending => "pending",
        SweepTaskState.Running => "running",
        SweepTaskState.Done => "done",
        SweepTaskState.Failed => "failed",
        SweepTaskState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown task state"),
    };

    public static SweepTaskState Parse(string text)
    {
        foreach (var state in All)
            if (state.ToText() == text) return state;
        throw new FormatException($"unknown task state '{text}' (expected {string.Join(", ", All.Select(s => s.ToText()))})");
    }
}
