using System.Buffers.Binary;
using System.IO.Compression;

namespace SharpEdge.Data;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST (big-endian header: magic 0x0000 type dims, then one u32 per
/// dimension, then the data), plain or gzip-compressed. Only unsigned bytes (type 0x08) occur in these sets.
/// </summary>
public static class Idx
{
    public static (byte[] Data, int[] Shape) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        byte[] bytes;
        try
        {
            using var file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not a valid gzip file ({e.Message})", e);
        }
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"{path}: not an IDX file (bad magic)");
        if (bytes[2] != 0x08) throw new InvalidDataException($"{path}: IDX element type 0x{bytes[2]:x2} is not supported (only unsigned bytes)");
        int dims = bytes[3];
        if (dims < 1 || bytes.Length < 4 + 4 * dims) throw new InvalidDataException($"{path}: truncated IDX header");
        var shape = new int[dims];
        long count = 1;
        for (int d = 0; d < dims; d++)
        {
            shape[d] = checked((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * d)));
            count *= shape[d];
        }
        int offset = 4 + 4 * dims;
        if (bytes.Length - offset != count)
            throw new InvalidDataException($"{path}: expected {string.Join("x", shape)} = {count} bytes of data, found {bytes.Length - offset}");
        return (bytes.AsSpan(offset).ToArray(), shape);
    }
}
