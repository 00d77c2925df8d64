using System.Text;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Numerics.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>The tensors in Fixtures/small.safetensors, in file order.</summary>
    private static List<TensorEntry> FixtureTensors() =>
    [
        new("scale", [0.125], []),
        new("empty", new float[0], 0),
        new("layers.0.bias", [0.5f, -0.5f], 2),
        new("layers.0.weight", [-2f, -1f, 0f, 1f, 2f, 3f], 2, 3),
    ];

    private static readonly Dictionary<string, string> FixtureMetadata = new() { ["format"] = "pt", ["note"] = "fixture" };

    private static void AssertSame(IReadOnlyList<TensorEntry> expected, IReadOnlyList<TensorEntry> actual)
    {
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Dtype, actual[i].Dtype);
            Assert.Equal(expected[i].Shape, actual[i].Shape);
            Assert.Equal(expected[i].Data, actual[i].Data);
        }
    }

    [Fact]
    public void WritesTheSameBytesAsTheReferenceLayout()
    {
        string path = temp.File("small.safetensors");
        SafeTensors.Write(path, FixtureTensors(), FixtureMetadata);
        Assert.Equal(FixtureFiles.Bytes("small.safetensors"), File.ReadAllBytes(path));
    }

    [Fact]
    public void ReadsTheFixture()
    {
        var (tensors, metadata) = SafeTensors.Read(FixtureFiles.PathOf("small.safetensors"));
        AssertSame(FixtureTensors(), tensors);
        Assert.Equal(FixtureMetadata, metadata);
    }

    [Fact]
    public void RoundTripsEveryDtypeAndShape()
    {
        var tensors = new List<TensorEntry>
        {
            new("f32", [1.5f, -2f, float.MaxValue, float.Epsilon, 0f, 7f], 3, 2),
            new("f64.scalar", [Math.PI], []),
            new("i64", [long.MinValue, 0L, long.MaxValue], 3),
            new("i32.empty", new int[0], 4, 0),
            new("u8", [(byte)0, (byte)255], 1, 2),
            new("ünïcode name", [double.NaN, double.NegativeInfinity], 2),
        };
        string path = temp.File("all.safetensors");
        SafeTensors.Write(path, tensors);
        var (read, metadata) = SafeTensors.Read(path);
        AssertSame(tensors, read);
        Assert.Empty(metadata);

        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes);
        Assert.Equal(0, headerLength % 8);
        Assert.DoesNotContain("__metadata__", Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        Assert.Contains("\"ünïcode name\"", Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
    }

    [Fact]
    public void StreamOverloadsRoundTrip()
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, FixtureTensors(), FixtureMetadata);
        Assert.Equal(FixtureFiles.Bytes("small.safetensors"), stream.ToArray());
        stream.Position = 0;
        AssertSame(FixtureTensors(), SafeTensors.Read(stream, "mem").Tensors);
    }

    // ---- ReadInto ----

    private static readonly List<(string Name, int[] Shape)> FixtureLayout =
    [
        ("layers.0.weight", [2, 3]),
        ("layers.0.bias", [2]),
        ("scale", []),
        ("empty", [0]),
    ];

    [Fact]
    public void ReadIntoLaysTensorsOutInTheExpectedOrderAsDouble()
    {
        var flat = new double[9];
        SafeTensors.ReadInto(FixtureFiles.PathOf("small.safetensors"), FixtureLayout, flat);
        Assert.Equal([-2.0, -1, 0, 1, 2, 3, 0.5, -0.5, 0.125], flat);
    }

    [Fact]
    public void ReadIntoLaysTensorsOutInTheExpectedOrderAsFloat()
    {
        var flat = new float[9];
        SafeTensors.ReadInto(FixtureFiles.PathOf("small.safetensors"), FixtureLayout, flat);
        Assert.Equal([-2f, -1, 0, 1, 2, 3, 0.5f, -0.5f, 0.125f], flat);
    }

    [Fact]
    public void ReadIntoConvertsLargeTensorsInChunks()
    {
        // Larger than ReadInto's conversion buffer, both directions.
        var weights = Enumerable.Range(0, 50_000).Select(i => i * 0.5f).ToArray();
        var bias = Enumerable.Range(0, 40_000).Select(i => i * 0.25).ToArray();
        string path = temp.File("big.safetensors");
        SafeTensors.Write(path, [new TensorEntry("w", weights, 250, 200), new TensorEntry("b", bias, 40_000)]);
        var layout = new List<(string, int[])> { ("b", [40_000]), ("w", [250, 200]) };

        var asDouble = new double[90_000];
        SafeTensors.ReadInto(path, layout, asDouble);
        Assert.Equal(bias, asDouble[..40_000]);
        Assert.Equal(weights.Select(x => (double)x), asDouble[40_000..]);

        var asFloat = new float[90_000];
        SafeTensors.ReadInto(path, layout, asFloat);
        Assert.Equal(bias.Select(x => (float)x), asFloat[..40_000]);
        Assert.Equal(weights, asFloat[40_000..]);
    }

    private string WriteP(params TensorEntry[] tensors)
    {
        string path = temp.File("P.safetensors");
        SafeTensors.Write(path, tensors);
        return path;
    }

    [Fact]
    public void ReadIntoReportsMissingTensor()
    {
        string path = WriteP(new TensorEntry("layers.0.weight", new float[6], 2, 3));
        var ex = Assert.Throws<TensorFileException>(() =>
            SafeTensors.ReadInto(path, [("layers.0.weight", [2, 3]), ("layers.1.bias", [512])], new double[518]));
        Assert.Equal($"{path}: missing tensor 'layers.1.bias' [512]", ex.Message);
    }

    [Fact]
    public void ReadIntoReportsUnexpectedTensor()
    {
        string path = WriteP(new TensorEntry("a", new float[2], 2), new TensorEntry("foo", new double[3], 3));
        var ex = Assert.Throws<TensorFileException>(() => SafeTensors.ReadInto(path, [("a", [2])], new float[2]));
        Assert.Equal($"{path}: unexpected tensor 'foo' [3]", ex.Message);
    }

    [Fact]
    public void ReadIntoReportsWrongShape()
    {
        string path = WriteP(new TensorEntry("layers.0.weight", new float[4 * 6], 4, 6));
        var ex = Assert.Throws<TensorFileException>(() => SafeTensors.ReadInto(path, [("layers.0.weight", [4, 7])], new double[28]));
        Assert.Equal($"{path}: tensor 'layers.0.weight' has shape [4,6], expected [4,7]", ex.Message);
    }

    [Fact]
    public void ReadIntoRejectsIntegerTensorsAndBadDestinations()
    {
        string path = WriteP(new TensorEntry("steps", [5L], 1));
        Assert.Equal($"{path}: tensor 'steps' has dtype I64, expected F32 or F64",
            Assert.Throws<TensorFileException>(() => SafeTensors.ReadInto(path, [("steps", [1])], new double[1])).Message);
        Assert.Contains("the expected tensors hold 1 values but the destination has 2",
            Assert.Throws<ArgumentException>(() => SafeTensors.ReadInto(path, [("steps", [1])], new double[2])).Message);
        Assert.Contains("expected tensor 'steps' is listed more than once",
            Assert.Throws<ArgumentException>(() => SafeTensors.ReadInto(path, [("steps", [1]), ("steps", [1])], new double[2])).Message);
    }

    [Fact]
    public void ReadIntoReportsTruncation()
    {
        string path = temp.File("t.safetensors");
        File.WriteAllBytes(path, FixtureFiles.Bytes("small.safetensors")[..^4]);
        var ex = Assert.Throws<TensorFileException>(() => SafeTensors.ReadInto(path, FixtureLayout, new double[9]));
        Assert.Equal($"{path}: truncated: tensor 'layers.0.weight' ends at data offset 40 but only 36 bytes of data follow the header", ex.Message);
    }

    // ---- malformed files ----

    /// <summary>Length prefix + header JSON padded to 8 + data.</summary>
    private static byte[] SafeTensorsFile(string json, int dataBytes)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        int padded = (header.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + dataBytes];
        BitConverter.TryWriteBytes(bytes, (ulong)padded);
        header.CopyTo(bytes, 8);
        bytes.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');
        return bytes;
    }

    private string ReadError(byte[] bytes)
    {
        string path = temp.File("m.safetensors");
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<TensorFileException>(() => SafeTensors.Read(path));
        Assert.StartsWith($"{path}: ", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        return ex.Message[(path.Length + 2)..];
    }

    [Fact]
    public void MissingFile()
    {
        string path = temp.File("nope.safetensors");
        Assert.Equal($"{path}: file not found", Assert.Throws<TensorFileException>(() => SafeTensors.Read(path)).Message);
    }

    [Fact]
    public void TruncatedFiles()
    {
        byte[] good = FixtureFiles.Bytes("small.safetensors");
        Assert.Equal("truncated: 5 bytes is too short for a safetensors header length", ReadError(good[..5]));
        Assert.Equal("truncated: header length is 304 bytes but only 92 follow", ReadError(good[..100]));
        Assert.Equal("truncated: tensor 'layers.0.weight' ends at data offset 40 but only 39 bytes of data follow the header", ReadError(good[..^1]));

        // Without a length to check up front, the data reads come up short instead.
        var stream = new MemoryStream(good[..^1]);
        var nonSeekable = new NonSeekableStream(stream);
        Assert.Equal("s: truncated: expected 40 bytes of tensor data after the header, found 39",
            Assert.Throws<TensorFileException>(() => SafeTensors.Read(nonSeekable, "s")).Message);
    }

    [Fact]
    public void AbsurdHeaderLength()
    {
        byte[] bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes, 0x7FFF_FFFF_FFFFUL);
        Assert.Equal("header length 140737488355327 exceeds the 100000000-byte limit (not a safetensors file?)", ReadError(bytes));
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", "bad header JSON: ")]
    [InlineData("[1,2,3]", "bad header JSON: expected an object, found Array")]
    [InlineData("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "bad header for tensor 'a': missing string \"dtype\"")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", "bad header for tensor 'a': missing array \"shape\"")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", "bad header for tensor 'a': missing \"data_offsets\" [begin, end]")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", "bad header for tensor 'a': shape [1.5] is not a list of integers")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "bad header for tensor 'a': shape [-1] is invalid: negative dimension -1")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[100000,100000],\"data_offsets\":[0,4]}}", "bad header for tensor 'a': shape [100000,100000] is invalid: more than 2147483591 elements, the most a .NET array can hold")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", "bad header for tensor 'a': data_offsets [0,4] span 4 bytes but shape [2] F32 needs 8")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", "bad header for tensor 'a': data_offsets [4,0] end before they begin")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", "bad header for tensor 'a': data_offsets [-4,0] are not two non-negative integers")]
    [InlineData("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", "tensor 'a' has unsupported dtype 'F16' (supported: F32, F64, I64, I32, U8)")]
    [InlineData("{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "bad header: metadata value for 'k' is Number, not a string")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "bad header: tensor 'a' appears twice")]
    public void BadHeaders(string json, string problem)
    {
        string message = ReadError(SafeTensorsFile(json, 8));
        Assert.StartsWith(problem, message);
    }

    [Fact]
    public void OffsetsMustTileTheDataExactly()
    {
        const string A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        Assert.Equal("tensors 'a' [0,8] and 'b' [4,12] have overlapping data_offsets",
            ReadError(SafeTensorsFile("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)));
        Assert.Equal("4 unused bytes before tensor 'b' (data_offsets must be contiguous)",
            ReadError(SafeTensorsFile("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16)));
        Assert.Equal("truncated: tensor 'b' ends at data offset 1000008 but only 16 bytes of data follow the header",
            ReadError(SafeTensorsFile("{" + A + ",\"b\":{\"dtype\":\"F64\",\"shape\":[125000],\"data_offsets\":[8,1000008]}}", 16)));
        Assert.Equal("8 bytes after the last tensor's data (data_offsets do not cover the file)",
            ReadError(SafeTensorsFile("{" + A + "}", 16)));
        Assert.Equal("4 unused bytes before tensor 'a' (data_offsets must be contiguous)",
            ReadError(SafeTensorsFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)));
    }

    // ---- writing ----

    [Fact]
    public void InvalidTensorsThrowBeforeTouchingTheDestination()
    {
        string path = temp.File("keep.safetensors");
        SafeTensors.Write(path, FixtureTensors(), FixtureMetadata);
        byte[] before = File.ReadAllBytes(path);

        string Fails(params TensorEntry[] tensors) =>
            Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, tensors)).Message;

        Assert.StartsWith($"{path}: tensor 'w' has 5 values but shape [2,3] needs 6", Fails(new TensorEntry("w", new float[5], 2, 3)));
        Assert.StartsWith($"{path}: tensor 'w' is Float64 but its data is Single[], not Double[]", Fails(new TensorEntry("w", NpyDtype.Float64, [1], new float[1])));
        Assert.StartsWith($"{path}: tensor 'w' appears more than once", Fails(new TensorEntry("w", [1f], 1), new TensorEntry("w", [1f], 1)));
        Assert.StartsWith($"{path}: '__metadata__' is reserved", Fails(new TensorEntry("__metadata__", [1f], 1)));
        Assert.StartsWith($"{path}: tensor 'w': shape [-1] is invalid", Fails(new TensorEntry("w", new float[0], -1)));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void EmptyMetadataIsWrittenAndNullIsOmitted()
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, [], new Dictionary<string, string>());
        Assert.Equal("{\"__metadata__\":{}}     ", Encoding.UTF8.GetString(stream.ToArray(), 8, 24));
        stream = new MemoryStream();
        SafeTensors.Write(stream, []);
        Assert.Equal("{}      ", Encoding.UTF8.GetString(stream.ToArray(), 8, 8));
        stream.Position = 0;
        var (tensors, metadata) = SafeTensors.Read(stream, "empty");
        Assert.Empty(tensors);
        Assert.Empty(metadata);
    }

    /// <summary>A stream that cannot seek or report its length.</summary>
    private sealed class NonSeekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
