using System.Reflection;

namespace SharpEdge.Runs;

/// <summary>
/// The version of the code that made a run: the entry assembly's informational version, into which the build
/// stamps the git commit (e.g. <c>1.0.0+baca80f</c>). "unknown" when there is no entry assembly (some test hosts).
/// </summary>
public static class CodeVersion
{
    private static readonly Lazy<string> current = new(Read);

    public static string Current => current.Value;

    private static string Read()
    {
        var assembly = Assembly.GetEntryAssembly();
        var informational = assembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrWhiteSpace(informational)) return informational;
        return assembly?.GetName().Version?.ToString() ?? "unknown";
    }
}
