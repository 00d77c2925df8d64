namespace SharpEdge.Runs;

/// <summary>
/// Where run folders and <c>runs.db</c> live: an explicit path, else <c>$SHARPEDGE_RESULTS</c>, else
/// <c>./results</c>. One rule for every command, so training, sweeps and the dashboard see the same store.
/// </summary>
public static class ResultsFolder
{
    public const string EnvironmentVariable = "SHARPEDGE_RESULTS";
    public const string DefaultFolder = "results";

    /// <summary>The absolute results folder. Does not create it.</summary>
    public static string Resolve(string? explicitPath = null)
    {
        string? chosen = !string.IsNullOrWhiteSpace(explicitPath)
            ? explicitPath
            : Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(chosen)) chosen = DefaultFolder;
        return Path.GetFullPath(chosen.Trim());
    }
}
