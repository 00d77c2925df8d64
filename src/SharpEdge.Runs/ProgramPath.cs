namespace SharpEdge.Runs;

/// <summary>The programs we start by name (Slurm's tools, Chromium, ptxas), found as a shell would find them.</summary>
public static class ProgramPath
{
    /// <summary>The first <paramref name="name"/> on PATH, as a full path; null when there is none.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
