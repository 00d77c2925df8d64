using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SharpEdge.Data.Formats;

/// <summary>
/// A minimal reader of MATLAB's Level 5 MAT-file format ("MAT-File Format", MathWorks, chapter 1), enough for
/// SVHN's <c>train_32x32.mat</c>: a 128-byte header, then data elements, each an 8-byte tag (type, byte count)
/// or a 4-byte "small element" tag, padded to 8 bytes. <c>miCOMPRESSED</c> elements (MATLAB 7's default) hold
/// one zlib-deflated element and are read as a stream, so a 225 MB array is never held twice. Numeric
/// <c>miMATRIX</c> arrays are read; cells, structs, sparse and complex arrays are skipped by name.
/// </summary>
public static class MatFile
{
    private const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6,
        MiSingle = 7, MiDouble = 9, MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;
    private const uint ComplexFlag = 0x0800;

    /// <summary>Every numeric array in the file, by name.</summary>
    public static Dictionary<string, MatArray> Read(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            return Read(file, path);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: truncated MAT-file ({e.Message})", e);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    public static Dictionary<string, MatArray> Read(Stream stream, string path)
    {
        var header = new byte[128];
        stream.ReadExactly(header);
        if (!Encoding.ASCII.GetString(header, 0, 6).StartsWith("MATLAB", StringComparison.Ordinal))
            throw new InvalidDataException("not a MATLAB 5.0 MAT-file (the header does not start with 'MATLAB')");
        // the endian indicator is the two characters "MI" written as one 16-bit value: "IM" on disk means little-endian
        bool little = (header[126], header[127]) switch
        {
            ((byte)'I', (byte)'M') => true,
            ((byte)'M', (byte)'I') => false,
            _ => throw new InvalidDataException("not a Level 5 MAT-file (no endian indicator; MATLAB 7.3 files are HDF5 and not supported)"),
        };
        var reader = new ElementReader(stream, little);
        var arrays = new Dictionary<string, MatArray>();
        while (reader.TryReadTag(out var type, out var length, out var small))
        {
            var array = ReadTopLevel(reader, type, length, small, little);
            if (array is not null) arrays[array.Name] = array;
        }
        return arrays;
    }

    private static MatArray? ReadTopLevel(ElementReader reader, int type, int length, byte[]? small, bool little)
    {
        if (type == MiCompressed)
        {
            // one element, deflated; its tag and body are read from the inflating stream
            using var bounded = new BoundedStream(reader.Stream, length);
            using var zlib = new ZLibStream(bounded, CompressionMode.Decompress);
            var inner = new ElementReader(zlib, little);
            if (!inner.TryReadTag(out var innerType, out var innerLength, out _))
                throw new InvalidDataException("empty compressed element");
            var array = innerType == MiMatrix ? ReadMatrix(inner, innerLength) : null;
            bounded.SkipRest();
            return array;
        }
        if (type == MiMatrix)
        {
            var array = ReadMatrix(reader, length);
            reader.SkipPadding(length);
            return array;
        }
        if (small is null)
        {
            reader.Skip(length);
            reader.SkipPadding(length);
        }
        return null;
    }

    /// <summary>Array flags, dimensions, name, real part (and imaginary part, refused).</summary>
    private static MatArray? ReadMatrix(ElementReader reader, int length)
    {
        long start = reader.Position;
        var flags = reader.ReadSubElement(MiUInt32, "array flags");
        uint flagWord = reader.UInt32(flags, 0);
        var @class = (MatClass)(flagWord & 0xFF);
        var dimensionBytes = reader.ReadSubElement(MiInt32, "dimensions");
        var dimensions = new int[dimensionBytes.Length / 4];
        for (int d = 0; d < dimensions.Length; d++) dimensions[d] = reader.Int32(dimensionBytes, 4 * d);
        var name = Encoding.ASCII.GetString(reader.ReadSubElement(MiInt8, "array name"));
        if (@class is < MatClass.Double or > MatClass.UInt64 || (flagWord & ComplexFlag) != 0)
        {
            reader.Skip(length - (reader.Position - start));   // cells, structs, chars, sparse and complex arrays are not needed
            return null;
        }
        long count = dimensions.Aggregate(1L, (a, b) => a * b);
        if (!reader.TryReadTag(out var type, out var dataLength, out var small))
            throw new InvalidDataException($"array '{name}' has no data");
        int size = ElementSize(type, name);
        if (dataLength != count * size)
            throw new InvalidDataException($"array '{name}' [{string.Join("x", dimensions)}] needs {count * size} bytes of type {type}, holds {dataLength}");
        MatArray array;
        if (@class == MatClass.UInt8 && type == MiUInt8)
            array = new MatArray(name, @class, dimensions, small ?? reader.ReadBytes(dataLength), null);
        else
        {
            var raw = small ?? reader.ReadBytes(dataLength);
            var values = new double[count];
            for (int i = 0; i < values.Length; i++) values[i] = reader.Number(raw, i * size, type);
            array = new MatArray(name, @class, dimensions, null, values);
        }
        if (small is null) reader.SkipPadding(dataLength);
        reader.Skip(length - (reader.Position - start));
        return array;
    }

    private static int ElementSize(int type, string name) => type switch
    {
        MiInt8 or MiUInt8 => 1,
        MiInt16 or MiUInt16 => 2,
        MiInt32 or MiUInt32 or MiSingle => 4,
        MiDouble or MiInt64 or MiUInt64 => 8,
        _ => throw new InvalidDataException($"array '{name}' stores its data as element type {type}, which is not numeric"),
    };

    /// <summary>Reads tags and bodies with the file's byte order, counting bytes so padding and skips stay aligned.</summary>
    private sealed class ElementReader(Stream stream, bool little)
    {
        private readonly byte[] _tag = new byte[8];
        public Stream Stream { get; } = stream;
        public long Position { get; private set; }

        /// <summary>The next tag; for a small element (byte count in the high half) its ≤ 4 data bytes too.</summary>
        public bool TryReadTag(out int type, out int length, out byte[]? small)
        {
            type = length = 0;
            small = null;
            int read = Stream.ReadAtLeast(_tag, 8, throwOnEndOfStream: false);
            if (read == 0) return false;
            if (read < 8) throw new EndOfStreamException("a data element tag is cut short");
            Position += 8;
            uint first = UInt32(_tag, 0);
            if (first >> 16 != 0)
            {
                type = (int)(first & 0xFFFF);
                length = (int)(first >> 16);
                if (length > 4) throw new InvalidDataException($"small data element claims {length} bytes");
                small = _tag.AsSpan(4, length).ToArray();
                return true;
            }
            type = (int)first;
            uint count = UInt32(_tag, 4);
            if (count > int.MaxValue) throw new InvalidDataException($"data element of {count} bytes is too large");
            length = (int)count;
            return true;
        }

        public byte[] ReadSubElement(int expectedType, string what)
        {
            if (!TryReadTag(out var type, out var length, out var small)) throw new EndOfStreamException($"the {what} are missing");
            // MATLAB may store integers in a narrower type than declared; accept any integer type for these small fields
            if (type != expectedType && !(expectedType == MiInt8 && type == MiUInt8) && !(expectedType == MiInt32 && type is MiUInt32))
                throw new InvalidDataException($"{what} have element type {type}, expected {expectedType}");
            if (small is not null) return small;
            var body = ReadBytes(length);
            SkipPadding(length);
            return body;
        }

        public byte[] ReadBytes(int count)
        {
            var bytes = new byte[count];
            Stream.ReadExactly(bytes);
            Position += count;
            return bytes;
        }

        public void Skip(long count)
        {
            if (count < 0) throw new InvalidDataException("a data element overruns its enclosing array");
            var buffer = new byte[Math.Min(count, 1 << 16)];
            while (count > 0)
            {
                int n = (int)Math.Min(count, buffer.Length);
                Stream.ReadExactly(buffer, 0, n);
                count -= n;
                Position += n;
            }
        }

        public void SkipPadding(long length) => Skip((8 - length % 8) % 8);

        public uint UInt32(byte[] b, int offset) =>
            little ? BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(offset)) : BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(offset));

        public int Int32(byte[] b, int offset) => (int)UInt32(b, offset);

        public double Number(byte[] b, int offset, int type)
        {
            var s = b.AsSpan(offset);
            return type switch
            {
                MiInt8 => (sbyte)s[0],
                MiUInt8 => s[0],
                MiInt16 => little ? BinaryPrimitives.ReadInt16LittleEndian(s) : BinaryPrimitives.ReadInt16BigEndian(s),
                MiUInt16 => little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s),
                MiInt32 => little ? BinaryPrimitives.ReadInt32LittleEndian(s) : BinaryPrimitives.ReadInt32BigEndian(s),
                MiUInt32 => little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s),
                MiSingle => little ? BinaryPrimitives.ReadSingleLittleEndian(s) : BinaryPrimitives.ReadSingleBigEndian(s),
                MiDouble => little ? BinaryPrimitives.ReadDoubleLittleEndian(s) : BinaryPrimitives.ReadDoubleBigEndian(s),
                MiInt64 => little ? BinaryPrimitives.ReadInt64LittleEndian(s) : BinaryPrimitives.ReadInt64BigEndian(s),
                MiUInt64 => little ? BinaryPrimitives.ReadUInt64LittleEndian(s) : BinaryPrimitives.ReadUInt64BigEndian(s),
                _ => throw new InvalidDataException($"element type {type} is not numeric"),
            };
        }
    }

    /// <summary>A read-only window of <c>length</c> bytes over the file, so the inflater cannot read past its element.</summary>
    private sealed class BoundedStream(Stream inner, long length) : Stream
    {
        private long _left = length;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_left == 0) return 0;
            int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            if (n == 0) throw new EndOfStreamException($"compressed element cut short ({_left} bytes missing)");
            _left -= n;
            return n;
        }

        /// <summary>Consumes what the inflater left unread (zlib's trailer, padding inside the element).</summary>
        public void SkipRest()
        {
            var buffer = new byte[4096];
            while (_left > 0) _ = Read(buffer);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
