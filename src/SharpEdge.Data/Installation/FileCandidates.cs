namespace SharpEdge.Data.Installation;

/// <summary>
/// The places a user pointed <c>data import</c> at (or that a download was extracted to): files are matched by
/// name, folders searched a few levels deep, so a folder holding the set, its parent, or an extracted archive
/// all work.
/// </summary>
public sealed class FileCandidates
{
    private const int Depth = 4;

    /// <param name="owned">the paths are this program's own scratch (an extracted download): files may be moved, not copied</param>
    public FileCandidates(IEnumerable<string> paths, bool owned = false)
    {
        Owned = owned;
        Paths = paths.Select(Path.GetFullPath).ToArray();
        foreach (var path in Paths)
            if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"{path}: no such file or folder", path);
    }

    public IReadOnlyList<string> Paths { get; }
    public bool Owned { get; }

    /// <summary>Puts a found file at <paramref name="destination"/>: moved out of scratch, copied from the user's files.</summary>
    public void Place(string source, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        if (Owned) File.Move(source, destination, overwrite: true);
        else File.Copy(source, destination, overwrite: true);
    }

    public override string ToString() => string.Join(", ", Paths);

    /// <summary>The first file named one of <paramref name="names"/> (ordinal), in the order given.</summary>
    public string? FindFile(params string[] names)
    {
        foreach (var name in names)
        {
            foreach (var path in Paths)
            {
                if (File.Exists(path) && Path.GetFileName(path) == name) return path;
                if (Directory.Exists(path))
                {
                    var found = Search(path).Where(f => Path.GetFileName(f) == name).Order(StringComparer.Ordinal).FirstOrDefault();
                    if (found is not null) return found;
                }
            }
        }
        return null;
    }

    /// <summary>The first folder (a given one or one below it) that satisfies <paramref name="holds"/>.</summary>
    public string? FindFolder(Func<string, bool> holds)
    {
        foreach (var path in Paths.Where(Directory.Exists))
        {
            if (holds(path)) return path;
            var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = Depth, IgnoreInaccessible = true };
            var found = Directory.EnumerateDirectories(path, "*", options).Order(StringComparer.Ordinal).FirstOrDefault(holds);
            if (found is not null) return found;
        }
        return null;
    }

    private static IEnumerable<string> Search(string folder) =>
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = Depth, IgnoreInaccessible = true });
}
