using System.Security.Cryptography;

namespace SharpEdge.Data.Download;

/// <summary>Hex digests of files, streamed.</summary>
public static class Checksum
{
    public static string Md5(string path) => Hex(path, MD5.Create());

    public static string Sha256(string path) => Hex(path, SHA256.Create());

    private static string Hex(string path, HashAlgorithm algorithm)
    {
        using (algorithm)
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
            return Convert.ToHexStringLower(algorithm.ComputeHash(file));
    }

    /// <summary>Throws <see cref="ChecksumMismatchException"/> (after deleting <paramref name="path"/>) unless every known digest matches.</summary>
    public static void Verify(string path, RemoteFile file, string url)
    {
        if (file.Size is { } size && new FileInfo(path).Length != size)
        {
            var actual = new FileInfo(path).Length;
            File.Delete(path);
            throw new ChecksumMismatchException(file.FileName, url, "size", $"{actual:N0} bytes", $"{size:N0}");
        }
        foreach (var (algorithm, expected, compute) in new (string, string?, Func<string, string>)[] { ("MD5", file.Md5, Md5), ("SHA-256", file.Sha256, Sha256) })
        {
            if (expected is null) continue;
            var actual = compute(path);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(path);
                throw new ChecksumMismatchException(file.FileName, url, algorithm, actual, expected.ToLowerInvariant());
            }
        }
    }
}
