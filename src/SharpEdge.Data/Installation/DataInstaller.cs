using SharpEdge.Data.Download;
using SharpEdge.Data.Sources;

namespace SharpEdge.Data.Installation;

/// <summary>
/// Installs data sets under a data root: <see cref="Import"/> from local files or archives, <see cref="Fetch"/>
/// from the official downloads. Files are found and checked in scratch folders inside the root, and the set's
/// folder is replaced by one rename at the end, so a failure leaves the old installation (or none) untouched.
/// </summary>
public sealed class DataInstaller(string dataRoot, Action<string>? log = null)
{
    private readonly Action<string> _log = log ?? (_ => { });

    public string DataRoot { get; } = Path.GetFullPath(dataRoot);

    /// <summary>Used by <see cref="Fetch"/>; tests give one with short retry delays.</summary>
    public Downloader Downloader { get; init; } = new();

    /// <summary>Where downloads wait (as <c>.part</c> files while incomplete) until they are installed.</summary>
    public string DownloadFolder => Path.Combine(DataRoot, ".downloads");

    /// <summary>Installs <paramref name="source"/> from local folders, files or archives (.tar.gz, .tgz, .tar, .zip).</summary>
    public InstalledDataset Import(DatasetSource source, IReadOnlyList<string> paths) => Install(source, paths, owned: false);

    /// <summary>Downloads the official files (resuming, verified), then installs them like <see cref="Import"/>.</summary>
    public InstalledDataset Fetch(DatasetSource source)
    {
        if (source.FetchUnavailable is { } why) throw new InvalidOperationException(
            $"cannot fetch {source.Name}: {why}" + (source.NeedsInstall ? $"; then run `sharpedge data import {source.Name} PATH`" : ""));
        var files = source.Downloads.Select(file =>
        {
            _log($"{source.Name}: downloading {file.FileName} from {file.Urls[0]}" +
                 (file.HasChecksum ? "" : " (no published checksum is known; the contents are checked instead)"));
            return Downloader.Download(file, DownloadFolder);
        }).ToArray();
        var installed = Install(source, files, owned: true);
        foreach (var file in files.Where(File.Exists)) File.Delete(file);
        return installed;
    }

    private InstalledDataset Install(DatasetSource source, IReadOnlyList<string> paths, bool owned)
    {
        if (!source.NeedsInstall) throw new InvalidOperationException($"{source.Name} needs no installation: {source.FetchUnavailable}");
        if (paths.Count == 0) throw new ArgumentException($"{source.Name}: give at least one file or folder to import");
        Directory.CreateDirectory(DataRoot);
        var scratch = Path.Combine(DataRoot, $".scratch-{source.Name}-{Guid.NewGuid():N}");
        var staging = Path.Combine(DataRoot, $".incoming-{source.Name}-{Guid.NewGuid():N}");
        try
        {
            var places = new List<string>();
            for (int i = 0; i < paths.Count; i++)
            {
                var path = Path.GetFullPath(paths[i]);
                if (File.Exists(path) && ArchiveExtractor.IsArchive(path))
                {
                    var into = Path.Combine(scratch, i.ToString());
                    _log($"{source.Name}: extracting {path}");
                    ArchiveExtractor.Extract(path, into);
                    places.Add(into);
                }
                else places.Add(path);
            }
            // extracted archives are ours to move from; the user's own files are copied
            bool allOwned = owned || places.All(p => p.StartsWith(scratch, StringComparison.Ordinal));
            var candidates = new FileCandidates(places, allOwned);
            Directory.CreateDirectory(staging);
            source.Install(candidates, staging, _log);
            source.Find(staging);   // the layout the loader expects
            var final = source.Location(DataRoot);
            Replace(final, staging);
            var installed = Describe(source, DataRoot);
            _log($"{source.Name}: installed in {final} ({installed.Files} files, {installed.Bytes:N0} bytes)");
            return installed;
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Swaps the staged folder in; the old installation is removed only after the new one is in place.</summary>
    private static void Replace(string final, string staging)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        if (!Directory.Exists(final))
        {
            Directory.Move(staging, final);
            return;
        }
        var old = Path.Combine(Path.GetDirectoryName(final)!, $".old-{Path.GetFileName(final)}-{Guid.NewGuid():N}");
        Directory.Move(final, old);
        try
        {
            Directory.Move(staging, final);
        }
        catch
        {
            Directory.Move(old, final);
            throw;
        }
        Directory.Delete(old, recursive: true);
    }

    /// <summary>Where <paramref name="source"/> is read from under <paramref name="dataRoot"/>, and whether its files are there.</summary>
    public static InstalledDataset Describe(DatasetSource source, string dataRoot)
    {
        var folder = source.Location(dataRoot);
        if (source is SyntheticGaussianSource) return new InstalledDataset(source.Name, source.Description, folder, true, 0, 0, null);
        try
        {
            var files = source.Find(folder);
            var all = files.SelectMany(f => Directory.Exists(f) ? Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories) : [f]).ToArray();
            return new InstalledDataset(source.Name, source.Description, folder, true, all.Sum(f => new FileInfo(f).Length), all.Length, null);
        }
        catch (DataNotInstalledException e)
        {
            return new InstalledDataset(source.Name, source.Description, folder, false, 0, 0, e.Message);
        }
    }
}
