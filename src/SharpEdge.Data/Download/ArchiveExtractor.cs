using System.Formats.Tar;
using System.IO.Compression;

namespace SharpEdge.Data.Download;

/// <summary>
/// Unpacks the official archives: .tar.gz/.tgz (System.Formats.Tar over GZipStream), .tar and .zip. Both
/// libraries refuse entries that would land outside the destination.
/// </summary>
public static class ArchiveExtractor
{
    public static bool IsArchive(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        return name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal)
               || name.EndsWith(".tar", StringComparison.Ordinal) || name.EndsWith(".zip", StringComparison.Ordinal);
    }

    public static void Extract(string archive, string destination)
    {
        Directory.CreateDirectory(destination);
        var name = Path.GetFileName(archive).ToLowerInvariant();
        try
        {
            if (name.EndsWith(".zip", StringComparison.Ordinal))
            {
                ZipFile.ExtractToDirectory(archive, destination, overwriteFiles: true);
                return;
            }
            using var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using Stream tar = name.EndsWith(".tar", StringComparison.Ordinal) ? file : new GZipStream(file, CompressionMode.Decompress);
            TarFile.ExtractToDirectory(tar, destination, overwriteFiles: true);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new InvalidDataException($"{archive}: damaged or truncated archive ({e.Message})", e);
        }
    }
}
