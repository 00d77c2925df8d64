using System.Text.RegularExpressions;

namespace SharpEdge.Dashboard;

/// <summary>
/// The only way the dashboard turns request text into a file path. A name is one plain path component (letters,
/// digits, '.', '_', '-', not starting with '.'), so '..', separators and hidden files are refused before the
/// file system is asked; the result must lie inside the root after normalisation, and no folder or file below
/// the root may be a symbolic link (a link could point anywhere).
/// </summary>
public static partial class ContainedPath
{
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._\-]{0,199}$")]
    private static partial Regex PlainName();

    public static bool IsPlainName(string? name) => name is not null && PlainName().IsMatch(name);

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it, with no link on the way down.</summary>
    public static bool IsInside(string root, string path)
    {
        string fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (full == fullRoot) return true;
        string relative = Path.GetRelativePath(fullRoot, full);
        if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative))
            return false;
        string current = fullRoot;
        foreach (var part in relative.Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.Exists || Directory.Exists(current))
            {
                if ((info.Exists ? info.LinkTarget : new DirectoryInfo(current).LinkTarget) is not null) return false;
            }
        }
        return true;
    }

    /// <summary>The existing regular file <paramref name="folder"/>/<paramref name="name"/>, if the folder is inside
    /// the root and the name is plain; otherwise null (the caller answers 404).</summary>
    public static string? File(string root, string folder, string name)
    {
        if (!IsPlainName(name) || !IsInside(root, folder)) return null;
        string path = Path.Combine(Path.GetFullPath(folder), name);
        var info = new FileInfo(path);
        return info.Exists && info.LinkTarget is null && IsInside(root, path) ? path : null;
    }

    /// <summary>The plain, non-link files of a folder inside the root with one of the extensions, sorted.</summary>
    public static IReadOnlyList<string> List(string root, string folder, params string[] extensions)
    {
        if (!Directory.Exists(folder) || !IsInside(root, folder)) return [];
        return Directory.EnumerateFiles(folder)
            .Select(Path.GetFileName)
            .Where(n => IsPlainName(n) && (extensions.Length == 0 || extensions.Any(e => n!.EndsWith(e, StringComparison.OrdinalIgnoreCase))))
            .Where(n => new FileInfo(Path.Combine(folder, n!)).LinkTarget is null)
            .Order(StringComparer.Ordinal)
            .ToList()!;
    }
}
