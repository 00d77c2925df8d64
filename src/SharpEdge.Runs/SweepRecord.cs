namespace SharpEdge.Runs;

/// <summary>
/// One row of the <c>sweeps</c> table: a named sweep, the command its tasks run (<c>train</c>, <c>phase train</c>),
/// the spec it was registered from (YAML text), its folder, the folder its tasks run in (task outputs, batch scripts) and the backend that ran
/// it last. <see cref="Host"/> and <see cref="Pid"/> name the local sweep process that runs it now, if any.
/// </summary>
public sealed record SweepRecord
{
    public required string Name { get; init; }
    public required string Command { get; init; }
    public required string Spec { get; init; }
    public required string Folder { get; init; }
    /// <summary>The folder tasks run in, so relative paths in the spec are relative to it: the spec file's folder.</summary>
    public required string WorkingDirectory { get; init; }
    public string Backend { get; init; } = "local";
    public DateTime Created { get; init; }
    public string? Host { get; init; }
    public int? Pid { get; init; }
}
