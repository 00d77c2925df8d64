using System.Text.Json.Nodes;

namespace SharpEdge.Runs;

/// <summary>
/// One row of the <c>runs</c> table. As a draft for <see cref="RunStore.CreateRun"/> only <see cref="Name"/> and
/// <see cref="Kind"/> are required; the store fills <see cref="Id"/>, <see cref="Created"/>, <see cref="Started"/>,
/// and, when left null, <see cref="CodeVersion"/>, <see cref="Host"/> and <see cref="Pid"/> from the current process.
/// Times are UTC; in the database they are ISO 8601 text (<c>2026-11-23T04:05:06.123Z</c>), which sorts by time
/// and reads well in any SQLite client.
/// </summary>
public sealed record RunRecord
{
    public long Id { get; init; }
    public required string Name { get; init; }
    /// <summary>Which workflow made the run, e.g. <c>train</c> (EoSS) or <c>phase</c> (teacher-student).</summary>
    public required string Kind { get; init; }
    public RunStatus Status { get; init; } = RunStatus.Running;
    /// <summary>The full configuration as JSON, enough to rerun the run.</summary>
    public JsonObject Config { get; init; } = new();
    public DateTime Created { get; init; }
    public DateTime? Started { get; init; }
    public DateTime? Finished { get; init; }
    /// <summary>When a process last took the stopped run up again (<see cref="RunStore.Reopen"/>); null if never.</summary>
    public DateTime? Resumed { get; init; }
    /// <summary>Wall-clock seconds of the run, set by <see cref="RunStore.Finish"/>.</summary>
    public double? Seconds { get; init; }
    public string? CodeVersion { get; init; }
    /// <summary>The run this one was forked or continued from, and the step it branched at.</summary>
    public long? ParentId { get; init; }
    public long? ForkStep { get; init; }
    /// <summary>The run folder (results.txt, checkpoints, figures), if the run has one.</summary>
    public string? Folder { get; init; }
    public string? Error { get; init; }
    public string? Host { get; init; }
    public int? Pid { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
}
