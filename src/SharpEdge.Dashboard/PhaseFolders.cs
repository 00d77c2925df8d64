using Microsoft.Data.Sqlite;

namespace SharpEdge.Dashboard;

/// <summary>
/// The folders whose <c>phase analyze</c> output the phase page shows: each <c>--phase DIR</c> given to serve,
/// and the output folder (<c>config.out</c>) of every phase run in the store. Figures are read from
/// <c>DIR/figures</c> (PNG) and tables from <c>DIR/analysis</c> (CSV, JSON), the defaults of phase analyze.
/// A folder from the store is served only if it lies inside the results folder; one given with --phase is
/// served because the person starting the server named it.
/// </summary>
internal sealed class PhaseFolders(string resultsFolder, IReadOnlyList<string> explicitFolders)
{
    public const string FiguresFolder = "figures";
    public const string TablesFolder = "analysis";

    public IReadOnlyList<PhaseFolder> Find(SqliteConnection? connection)
    {
        var folders = new List<PhaseFolder>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in explicitFolders)
        {
            string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
            if (seen.Add(full)) folders.Add(Describe(folders.Count, full, full, served: true));
        }
        if (connection is not null)
        {
            using var command = connection.Command(
                "SELECT DISTINCT json_extract(config, '$.out') FROM runs WHERE kind = 'phase' AND json_extract(config, '$.out') IS NOT NULL");
            using var reader = command.ExecuteReader();
            var fromStore = new List<string>();
            while (reader.Read()) fromStore.Add(Path.TrimEndingDirectorySeparator(Path.GetFullPath(reader.GetString(0))));
            // the folders that can be shown first, each group by path, so indices are stable while runs are added
            foreach (var (full, inside) in fromStore.Select(f => (f, ContainedPath.IsInside(resultsFolder, f)))
                         .OrderBy(f => !f.Item2).ThenBy(f => f.f, StringComparer.Ordinal))
                if (seen.Add(full)) folders.Add(Describe(folders.Count, full, resultsFolder, inside));
        }
        return folders;
    }

    /// <summary>A file of a served phase folder's figures or tables, or null.</summary>
    public string? File(SqliteConnection? connection, int index, string part, string name)
    {
        var folders = Find(connection);
        if (index < 0 || index >= folders.Count || !folders[index].Served) return null;
        if (part is not (FiguresFolder or TablesFolder)) return null;
        var folder = folders[index];
        var allowed = part == FiguresFolder ? folder.Figures : folder.Tables;
        return allowed.Contains(name) ? ContainedPath.File(folder.Root, Path.Combine(folder.Path, part), name) : null;
    }

    private PhaseFolder Describe(int index, string path, string root, bool served)
    {
        // inside the results folder the relative path is shorter and says where it is
        string display = ContainedPath.IsInside(resultsFolder, path) ? Path.GetRelativePath(resultsFolder, path) : path;
        if (!served) return new PhaseFolder(index, path, display, root, false, [], []);
        return new PhaseFolder(index, path, display, root, true,
            ContainedPath.List(root, Path.Combine(path, FiguresFolder), ".png"),
            ContainedPath.List(root, Path.Combine(path, TablesFolder), ".csv", ".json"));
    }
}

/// <summary>One phase folder: the PNG figures and CSV/JSON tables it holds, or Served = false when it lies outside
/// the results folder (then pass it with --phase to see it).</summary>
internal sealed record PhaseFolder(int Index, string Path, string Display, [property: System.Text.Json.Serialization.JsonIgnore] string Root, bool Served,
                                   IReadOnlyList<string> Figures, IReadOnlyList<string> Tables);
