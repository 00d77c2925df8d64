using SharpEdge.Numerics.Io;
using System.Buffers.Binary;
using System.IO.Compression;

namespace SharpEdge.Data.Formats;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST (big-endian header: magic 0x0000 type dims, then one u32 per
/// dimension, then the data), plain or gzip-compressed (recognised by its magic bytes, not its name). Only
/// unsigned bytes (type 0x08) occur in these sets.
/// </summary>
public static class Idx
{
    public static (byte[] Data, int[] Shape) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
            if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            {
                using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var memory = new MemoryStream();
                gzip.CopyTo(memory);
                bytes = memory.ToArray();
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not a valid gzip file ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: the gzip stream is truncated", e);
        }
        return Parse(bytes, path);
    }

    public static (byte[] Data, int[] Shape) Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"{path}: not an IDX file (bad magic)");
        if (bytes[2] != 0x08) throw new InvalidDataException($"{path}: IDX element type 0x{bytes[2]:x2} is not supported (only unsigned bytes)");
        int dims = bytes[3];
        if (dims < 1 || bytes.Length < 4 + 4 * dims) throw new InvalidDataException($"{path}: truncated IDX header");
        var shape = new int[dims];
        long count = 1;
        for (int d = 0; d < dims; d++)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (size > int.MaxValue) throw new InvalidDataException($"{path}: dimension {d} is {size}, too large");
            shape[d] = (int)size;
            count *= shape[d];
        }
        int offset = 4 + 4 * dims;
        if (bytes.Length - offset != count)
            throw new InvalidDataException($"{path}: expected {string.Join("x", shape)} = {count} bytes of data, found {bytes.Length - offset}");
        return (bytes.AsSpan(offset).ToArray(), shape);
    }

    /// <summary>Writes an IDX file of unsigned bytes, gzip-compressed when the name ends in .gz (tests, subsets).</summary>
    public static void Write(string path, ReadOnlySpan<byte> data, ReadOnlySpan<int> shape)
    {
        var header = new byte[4 + 4 * shape.Length];
        header[2] = 0x08;
        header[3] = (byte)shape.Length;
        for (int d = 0; d < shape.Length; d++) BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + 4 * d), (uint)shape[d]);
        var copy = data.ToArray();
        AtomicFile.Write(path, stream =>
        {
            if (!path.EndsWith(".gz", StringComparison.Ordinal))
            {
                stream.Write(header);
                stream.Write(copy);
                return;
            }
            using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
            gzip.Write(header);
            gzip.Write(copy);
        });
    }
}
