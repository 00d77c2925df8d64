namespace SharpEdge.Runs;

/// <summary>Which runs <see cref="RunStore.ListRuns"/> returns; every set field must match.</summary>
public sealed record RunFilter
{
    public string? Kind { get; init; }
    public RunStatus? Status { get; init; }
    /// <summary>Substring of the run name (case-sensitive).</summary>
    public string? NameContains { get; init; }
    public long? ParentId { get; init; }
    public string? Tag { get; init; }
    /// <summary>Keep only the newest <c>Last</c> runs (still listed oldest first).</summary>
    public int? Last { get; init; }
}
