using System.IO.Compression;

namespace SharpEdge.Numerics.Io;

/// <summary>
/// NumPy .npz archives: a zip of .npy members named "&lt;key&gt;.npy", as written by
/// <c>numpy.savez</c> (stored) and <c>numpy.savez_compressed</c> (deflated). Files written here
/// load with <c>numpy.load(path, allow_pickle=False)</c>.
/// </summary>
public static class Npz
{
    private const string MemberSuffix = ".npy";

    // numpy.savez stamps every member 1980-01-01 00:00 (the zip epoch); doing the same keeps
    // our archives byte-reproducible for identical inputs.
    private static readonly DateTimeOffset MemberTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Reads every member. Keys are member names without ".npy", in archive order.</summary>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        using var stream = TensorIo.OpenRead(path);
        return Read(stream, path);
    }

    /// <inheritdoc cref="Read(string)"/>
    public static IReadOnlyDictionary<string, NpyArray> Read(Stream stream, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(nameForErrors);
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new TensorFileException(nameForErrors, $"not a valid .npz (zip) archive: {TensorIo.OneLine(e.Message)}", e);
        }

        using (archive)
        {
            var arrays = new OrderedDictionary<string, NpyArray>(StringComparer.Ordinal);
            foreach (var entry in archive.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue; // directory entry
                string memberName = $"{nameForErrors}[{entry.FullName}]";
                if (!entry.FullName.EndsWith(MemberSuffix, StringComparison.Ordinal))
                    throw new TensorFileException(memberName, "archive member is not a .npy array");
                string key = entry.FullName[..^MemberSuffix.Length];
                NpyArray array;
                try
                {
                    using var member = entry.Open();
                    array = Npy.Read(member, memberName);
                }
                catch (InvalidDataException e)
                {
                    // Corrupt deflate data, unsupported compression method, CRC mismatch.
                    throw new TensorFileException(memberName, $"cannot decompress: {TensorIo.OneLine(e.Message)}", e);
                }
                if (!arrays.TryAdd(key, array))
                    throw new TensorFileException(nameForErrors, $"archive has more than one member named '{entry.FullName}'");
            }
            return arrays;
        }
    }

    /// <summary>
    /// Writes the arrays atomically (temporary file, then rename) as members "&lt;key&gt;.npy", in
    /// the given order. <paramref name="compress"/> deflates them like numpy.savez_compressed.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        var members = Validate(path, arrays);
        using var file = new AtomicFileWriter(path);
        WriteMembers(file.Stream, members, compress);
        file.Commit();
    }

    /// <inheritdoc cref="Write(string, IEnumerable{KeyValuePair{string, NpyArray}}, bool)"/>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteMembers(stream, Validate("npz stream", arrays), compress);
    }

    private static List<KeyValuePair<string, NpyArray>> Validate(string context, IEnumerable<KeyValuePair<string, NpyArray>> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var members = arrays.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, array) in members)
        {
            if (string.IsNullOrEmpty(key)) throw new ArgumentException($"{context}: array names must be non-empty", nameof(arrays));
            if (array is null) throw new ArgumentException($"{context}: array '{key}' is null", nameof(arrays));
            if (!seen.Add(key)) throw new ArgumentException($"{context}: array name '{key}' appears more than once", nameof(arrays));
        }
        return members;
    }

    private static void WriteMembers(Stream stream, List<KeyValuePair<string, NpyArray>> members, bool compress)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (key, array) in members)
        {
            var entry = archive.CreateEntry(key + MemberSuffix, compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            entry.LastWriteTime = MemberTimestamp;
            using var member = entry.Open();
            Npy.Write(member, array);
        }
    }
}
