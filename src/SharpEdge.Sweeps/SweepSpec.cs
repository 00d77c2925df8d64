namespace SharpEdge.Sweeps;

/// <summary>
/// A declarative sweep: a named command (<c>train</c> or <c>phase train</c>), fixed flags and axes. The tasks are
/// every combination of the axes (<see cref="SweepExpansion"/>); each task runs the command with the fixed flags
/// and its axis values, every key becoming a <c>--key value</c> flag. Read from YAML by <see cref="SweepSpecReader"/>.
/// </summary>
public sealed record SweepSpec
{
    /// <summary>The commands a sweep may run, as words of the <c>sharpedge</c> command line.</summary>
    public static readonly IReadOnlyList<string> Commands = ["train", "phase train"];

    /// <summary>Flags the sweep itself sets on every task, so a spec may not.</summary>
    public static readonly IReadOnlyList<string> ReservedKeys = ["threads", "results", "json"];

    public required string Name { get; init; }
    public required string Command { get; init; }
    /// <summary>Fixed flags in the order written; a null value is a bare flag (<c>key: true</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Args { get; init; } = [];
    /// <summary>Axes, outermost first; the tasks are their Cartesian product.</summary>
    public IReadOnlyList<SweepAxis> Axes { get; init; } = [];
    /// <summary>Failed attempts retried before a task counts as failed.</summary>
    public int Retries { get; init; } = 1;
    public SlurmSettings Slurm { get; init; } = new();
    /// <summary>The YAML the spec was read from (kept in the run store with the sweep).</summary>
    public string Text { get; init; } = "";

    public IReadOnlyList<string> CommandWords => Command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// One axis of the product: one flag with its values (a grid axis), several flags whose values move together
/// (a zipped axis, lists of equal length), or the seed axis, over which sweep figures take medians.
/// </summary>
public sealed record SweepAxis(IReadOnlyList<string> Keys, IReadOnlyList<IReadOnlyList<string>> Values, bool IsSeed = false)
{
    public int Length => Values[0].Count;

    /// <summary>The flag values of point <paramref name="index"/> on this axis.</summary>
    public IEnumerable<KeyValuePair<string, string>> At(int index) =>
        Keys.Select((key, k) => new KeyValuePair<string, string>(key, Values[k][index]));
}

/// <summary>Resources of the Slurm array jobs (the spec's <c>slurm:</c> section; command-line flags override).</summary>
public sealed record SlurmSettings
{
    /// <summary>Wall-time limit per array element, as sbatch's <c>--time</c> (e.g. <c>01:00:00</c>).</summary>
    public string? Time { get; init; }
    /// <summary>Memory per element, as sbatch's <c>--mem</c> (e.g. <c>2G</c>).</summary>
    public string? Memory { get; init; }
    public string? Partition { get; init; }
    public string? Account { get; init; }
    /// <summary>Generic resources per element, as sbatch's <c>--gres</c> (e.g. <c>gpu:1</c> for tasks run with <c>--device cuda</c>).</summary>
    public string? Gres { get; init; }
    /// <summary>Quality of service, as sbatch's <c>--qos</c>.</summary>
    public string? Qos { get; init; }
    /// <summary>Node features required, as sbatch's <c>--constraint</c> (e.g. <c>h100</c>).</summary>
    public string? Constraint { get; init; }
    /// <summary>Largest array (elements per job); null asks <c>scontrol show config</c> for MaxArraySize.</summary>
    public int? MaxArraySize { get; init; }

    public SlurmSettings Over(SlurmSettings fallback) => new()
    {
        Time = Time ?? fallback.Time, Memory = Memory ?? fallback.Memory, Partition = Partition ?? fallback.Partition,
        Account = Account ?? fallback.Account, Gres = Gres ?? fallback.Gres, Qos = Qos ?? fallback.Qos, Constraint = Constraint ?? fallback.Constraint,
        MaxArraySize = MaxArraySize ?? fallback.MaxArraySize,
    };
}
