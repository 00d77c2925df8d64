using System.Diagnostics;
using System.Reflection;

namespace SharpEdge.Sweeps;

/// <summary>
/// How to start a task's process: an executable and the arguments before the command. <see cref="Self"/> is this
/// very program (<c>dotnet sharpedge.dll</c>, or the apphost), so a sweep runs the build that started it.
/// </summary>
public sealed record TaskLauncher(string FileName, IReadOnlyList<string> Prefix)
{
    public static TaskLauncher Self()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running (no process path)");
        if (!Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return new(process, []);
        // Under dotnet the entry assembly is a file beside the runtime's base directory (Assembly.Location would be
        // empty in a single-file bundle, which runs as its own executable above).
        var name = Assembly.GetEntryAssembly()?.GetName().Name;
        if (string.IsNullOrEmpty(name)) throw new InvalidOperationException("cannot tell which assembly is running under dotnet");
        return new(process, [Path.Combine(AppContext.BaseDirectory, name + ".dll")]);
    }

    public ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(FileName) { UseShellExecute = false };
        foreach (var a in Prefix.Concat(args)) start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>The full command line, for batch scripts.</summary>
    public IEnumerable<string> Words => [FileName, .. Prefix];
}
