using System.CommandLine;

namespace SharpEdge.Cli;

/// <summary>Options every command shares.</summary>
public static class CommonOptions
{
    /// <summary>Compute threads of one command; <see cref="CommandRunner"/> applies it before the action runs.</summary>
    public static Option<int?> Threads() => new("--threads")
    {
        Description = "compute threads (default: SHARPEDGE_THREADS, else the core count)",
    };

    public static Option<bool> Json() => new("--json") { Description = "print one JSON document on stdout (logs go to stderr)" };

    public static Option<string> Dtype(string defaultValue) => new Option<string>("--dtype")
    {
        Description = "number type of the engine: f32 or f64",
        DefaultValueFactory = _ => defaultValue,
    }.AcceptOnlyFromAmong("f32", "f64");
}
