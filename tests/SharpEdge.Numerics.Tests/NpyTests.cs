using System.IO.Compression;
using System.Text;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Numerics.Tests;

public sealed class NpyTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    public static TheoryData<NpyDtype, int[]> DtypesAndShapes()
    {
        var data = new TheoryData<NpyDtype, int[]>();
        int[][] shapes = [[], [0], [1], [5], [2, 3], [0, 3], [3, 0, 2], [2, 3, 4]];
        foreach (var dtype in Enum.GetValues<NpyDtype>())
            foreach (var shape in shapes)
                data.Add(dtype, shape);
        return data;
    }

    /// <summary>Distinct, exactly representable values of the dtype's element type.</summary>
    private static NpyArray Sample(NpyDtype dtype, int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        return dtype switch
        {
            NpyDtype.Float32 => new NpyArray(Enumerable.Range(0, n).Select(i => i * 0.25f - 3f).ToArray(), shape),
            NpyDtype.Float64 => new NpyArray(Enumerable.Range(0, n).Select(i => i * 0.1 - 1e300 / (i + 1)).ToArray(), shape),
            NpyDtype.Int64 => new NpyArray(Enumerable.Range(0, n).Select(i => (long)i * 3_000_000_000L - 7).ToArray(), shape),
            NpyDtype.Int32 => new NpyArray(Enumerable.Range(0, n).Select(i => i * -100_003).ToArray(), shape),
            NpyDtype.UInt8 => new NpyArray(Enumerable.Range(0, n).Select(i => (byte)(i * 37)).ToArray(), shape),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
    }

    private static void AssertSame(NpyArray expected, NpyArray actual)
    {
        Assert.Equal(expected.Dtype, actual.Dtype);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected.Data, actual.Data);
    }

    [Theory]
    [MemberData(nameof(DtypesAndShapes))]
    public void RoundTripsThroughFile(NpyDtype dtype, int[] shape)
    {
        var original = Sample(dtype, shape);
        string path = temp.File("a.npy");
        Npy.Write(path, original);
        AssertSame(original, Npy.Read(path));
    }

    [Theory]
    [MemberData(nameof(DtypesAndShapes))]
    public void TypedSpanOverloadsMatchNpyArrayOverload(NpyDtype dtype, int[] shape)
    {
        var original = Sample(dtype, shape);
        var viaArray = new MemoryStream();
        Npy.Write(viaArray, original);
        var viaSpan = new MemoryStream();
        switch (original.Data)
        {
            case float[] a: Npy.Write(viaSpan, a, shape); break;
            case double[] a: Npy.Write(viaSpan, a, shape); break;
            case long[] a: Npy.Write(viaSpan, a, shape); break;
            case int[] a: Npy.Write(viaSpan, a, shape); break;
            case byte[] a: Npy.Write(viaSpan, a, shape); break;
        }
        Assert.Equal(viaArray.ToArray(), viaSpan.ToArray());
        viaSpan.Position = 0;
        AssertSame(original, Npy.Read(viaSpan, "mem.npy"));
        Assert.Equal(0, (viaArray.Length - original.Length * ElementSize(dtype)) % 64); // data starts 64-aligned
    }

    private static int ElementSize(NpyDtype dtype) => dtype switch
    {
        NpyDtype.Float32 or NpyDtype.Int32 => 4,
        NpyDtype.UInt8 => 1,
        _ => 8,
    };

    [Fact]
    public void PathOverloadsWriteEveryDtype()
    {
        Npy.Write(temp.File("f.npy"), [1.5f, 2.5f], 2);
        Npy.Write(temp.File("d.npy"), [1.5, 2.5], 2, 1);
        Npy.Write(temp.File("l.npy"), [long.MinValue, long.MaxValue], 2);
        Npy.Write(temp.File("i.npy"), [int.MinValue], 1);
        Npy.Write(temp.File("b.npy"), [(byte)9], []);
        Assert.Equal([1.5f, 2.5f], Npy.Read(temp.File("f.npy")).AsFloat32());
        Assert.Equal([2, 1], Npy.Read(temp.File("d.npy")).Shape);
        Assert.Equal([long.MinValue, long.MaxValue], Npy.Read(temp.File("l.npy")).AsInt64());
        Assert.Equal(NpyDtype.Int32, Npy.Read(temp.File("i.npy")).Dtype);
        var scalar = Npy.Read(temp.File("b.npy"));
        Assert.Empty(scalar.Shape);
        Assert.Equal(new byte[] { 9 }, scalar.Data);
    }

    // ---- byte-exact agreement with numpy.save ----

    [Theory]
    [InlineData("f4_2x3.npy")]
    [InlineData("f8_scalar.npy")]
    [InlineData("i8_5.npy")]
    [InlineData("f8_0x3.npy")]
    [InlineData("i4_2x2.npy")]
    [InlineData("u1_4.npy")]
    public void WritesTheSameBytesAsNumpy(string fixture)
    {
        var array = Npy.Read(FixtureFiles.PathOf(fixture));
        var written = new MemoryStream();
        Npy.Write(written, array);
        Assert.Equal(FixtureFiles.Bytes(fixture), written.ToArray());
    }

    [Fact]
    public void ReadsNumpyFixtureValues()
    {
        var f4 = Npy.Read(FixtureFiles.PathOf("f4_2x3.npy"));
        Assert.Equal(NpyDtype.Float32, f4.Dtype);
        Assert.Equal([2, 3], f4.Shape);
        Assert.Equal([-1f, -0.5f, 0f, 0.5f, 1f, 1.5f], (float[])f4.Data);

        var scalar = Npy.Read(FixtureFiles.PathOf("f8_scalar.npy"));
        Assert.Empty(scalar.Shape);
        Assert.Equal([3.25], scalar.AsFloat64());

        Assert.Equal([-2L, -1, 0, 1, 1L << 40], Npy.Read(FixtureFiles.PathOf("i8_5.npy")).AsInt64());

        var empty = Npy.Read(FixtureFiles.PathOf("f8_0x3.npy"));
        Assert.Equal([0, 3], empty.Shape);
        Assert.Equal(0, empty.Length);

        var i4 = Npy.Read(FixtureFiles.PathOf("i4_2x2.npy"));
        Assert.Equal(NpyDtype.Int32, i4.Dtype);
        Assert.Equal([1, -2, 3, int.MaxValue], (int[])i4.Data);

        var u1 = Npy.Read(FixtureFiles.PathOf("u1_4.npy"));
        Assert.Equal(NpyDtype.UInt8, u1.Dtype);
        Assert.Equal(new byte[] { 0, 1, 128, 255 }, u1.Data);

        var bools = Npy.Read(FixtureFiles.PathOf("b1_3.npy"));
        Assert.Equal(NpyDtype.UInt8, bools.Dtype);
        Assert.Equal(new byte[] { 1, 0, 1 }, bools.Data);
    }

    [Fact]
    public void ReadsFormatVersion2()
    {
        byte[] bytes = FixtureFiles.Bytes("f4_2x3_v2.npy");
        Assert.Equal(2, bytes[6]);
        AssertSame(Npy.Read(FixtureFiles.PathOf("f4_2x3.npy")), Npy.Read(FixtureFiles.PathOf("f4_2x3_v2.npy")));
    }

    [Fact]
    public void WritesVersion2OnlyWhenTheHeaderNeedsIt()
    {
        var small = new MemoryStream();
        Npy.Write(small, [1f], 1);
        Assert.Equal(1, small.ToArray()[6]);

        int[] manyDims = Enumerable.Repeat(1, 25_000).ToArray(); // "1, " x 25000 > 65535 header bytes
        var big = new MemoryStream();
        Npy.Write(big, [7.0], manyDims);
        Assert.Equal(2, big.ToArray()[6]);
        big.Position = 0;
        var read = Npy.Read(big, "big.npy");
        Assert.Equal(manyDims, read.Shape);
        Assert.Equal([7.0], read.AsFloat64());
    }

    [Fact]
    public void AcceptsFortranOrderWhenItMatchesCOrder()
    {
        var read = Npy.Read(new MemoryStream(NpyFile("{'descr': '<f8', 'fortran_order': True, 'shape': (1, 3), }", Doubles(1, 2, 3))), "f.npy");
        Assert.Equal([1.0, 2, 3], read.AsFloat64());
    }

    [Fact]
    public void ParsesHeaderVariants()
    {
        // Double quotes, key order, Python 2 long suffix, no trailing comma.
        var read = Npy.Read(new MemoryStream(NpyFile("{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"<i8\"}", Longs(4, 5))), "v.npy");
        Assert.Equal([4L, 5], read.AsInt64());
    }

    // ---- conversions ----

    [Fact]
    public void ConvertsBetweenElementTypes()
    {
        var ints = new NpyArray(new[] { 1, -2, 3 }, 3);
        Assert.Equal([1f, -2f, 3f], ints.AsFloat32());
        Assert.Equal([1.0, -2.0, 3.0], ints.AsFloat64());
        Assert.Equal([1L, -2L, 3L], ints.AsInt64());

        var bytes = new NpyArray(new byte[] { 255 }, 1);
        Assert.Equal([255L], bytes.AsInt64());

        var doubles = new NpyArray(new[] { 0.1, 2.5 }, 2);
        Assert.Equal([0.1f, 2.5f], doubles.AsFloat32());
        Assert.Same(doubles.Data, doubles.AsFloat64()); // no copy when the dtype already matches

        var ex = Assert.Throws<InvalidOperationException>(() => doubles.AsInt64());
        Assert.Contains("cannot convert a float64 array to int64", ex.Message);
        Assert.Throws<InvalidOperationException>(() => new NpyArray(new[] { 1f }, 1).AsInt64());
    }

    [Fact]
    public void NpyArrayRejectsInconsistentArguments()
    {
        Assert.Contains("data has 5 elements but shape [2,3] needs 6",
            Assert.Throws<ArgumentException>(() => new NpyArray(new float[5], 2, 3)).Message);
        Assert.Contains("float64 data must be a Double[]",
            Assert.Throws<ArgumentException>(() => new NpyArray(NpyDtype.Float64, [1], new float[1])).Message);
        Assert.Contains("negative dimension -1",
            Assert.Throws<ArgumentException>(() => new NpyArray(new float[0], -1)).Message);
    }

    // ---- error messages ----

    private static TensorFileException ReadFails(byte[] bytes, string name = "x.npy") =>
        Assert.Throws<TensorFileException>(() => Npy.Read(new MemoryStream(bytes), name));

    [Fact]
    public void MissingFileIsNamed()
    {
        string path = temp.File("nope.npy");
        var ex = Assert.Throws<TensorFileException>(() => Npy.Read(path));
        Assert.Equal($"{path}: file not found", ex.Message);
        Assert.Equal(path, ex.FileName);
    }

    [Fact]
    public void BadMagic()
    {
        Assert.Equal("x.npy: not a .npy file (bad magic: starts with 68656C6C6F20776F, expected 934E554D5059)",
            ReadFails(Encoding.ASCII.GetBytes("hello world, not numpy")).Message);
        Assert.Equal("x.npy: not a .npy file (it is empty)", ReadFails([]).Message);
        Assert.Contains("it is a zip archive, perhaps a .npz", ReadFails(FixtureFiles.Bytes("stored.npz")).Message);
    }

    [Fact]
    public void UnsupportedDtypeIsQuoted()
    {
        string path = FixtureFiles.PathOf("c16_2.npy");
        var ex = Assert.Throws<TensorFileException>(() => Npy.Read(path));
        Assert.StartsWith($"{path}: unsupported dtype '<c16'", ex.Message);

        var bigEndian = Assert.Throws<TensorFileException>(() => Npy.Read(FixtureFiles.PathOf("f8_bigendian_2.npy")));
        Assert.Contains("unsupported dtype '>f8'", bigEndian.Message);
        Assert.Contains("big-endian", bigEndian.Message);

        var structured = ReadFails(NpyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]));
        Assert.StartsWith("x.npy: unsupported dtype (('a', '<f4'),)", structured.Message);
    }

    [Fact]
    public void FortranOrderIsRejected()
    {
        string path = FixtureFiles.PathOf("f8_fortran_2x3.npy");
        var ex = Assert.Throws<TensorFileException>(() => Npy.Read(path));
        Assert.Equal($"{path}: array of shape [2,3] is stored in Fortran (column-major) order, which is not supported; save np.ascontiguousarray(a) instead", ex.Message);
    }

    [Fact]
    public void TruncatedDataReportsExpectedAndFoundBytes()
    {
        byte[] header = NpyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (8192, 784), }", []);
        byte[] bytes = [.. header, .. new byte[1000]];
        Assert.Equal("X.npy: expected 8192x784 float32 = 25690112 bytes of data, found 1000", ReadFails(bytes, "X.npy").Message);

        // Same check on a stream that cannot report its length.
        var ex = Assert.Throws<TensorFileException>(() => Npy.Read(new NonSeekableStream(bytes), "X.npy"));
        Assert.Equal("X.npy: expected 8192x784 float32 = 25690112 bytes of data, found 1000", ex.Message);

        byte[] fixture = FixtureFiles.Bytes("f8_scalar.npy");
        Assert.Equal("s.npy: expected scalar float64 = 8 bytes of data, found 3", ReadFails(fixture[..^5], "s.npy").Message);
    }

    [Fact]
    public void TruncatedHeader()
    {
        byte[] fixture = FixtureFiles.Bytes("f4_2x3.npy");
        Assert.Equal("x.npy: truncated .npy header", ReadFails(fixture[..7]).Message);
        Assert.Equal("x.npy: truncated .npy header: expected 118 bytes, found 40", ReadFails(fixture[..50]).Message);
    }

    [Fact]
    public void UnsupportedVersion()
    {
        byte[] bytes = FixtureFiles.Bytes("f4_2x3.npy");
        bytes[6] = 4;
        Assert.Equal("x.npy: unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)", ReadFails(bytes).Message);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3) ", "expected ',' or '}' at end of header")]
    [InlineData("{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3), }", "expected ',' or '}' at position 16")]
    [InlineData("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 3), }", "unexpected name 'Maybe' at position 34")]
    [InlineData("['descr', '<f4']", "expected '{' at position 0")]
    [InlineData("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3), }", "expected ',' or '}' at position 17")]
    public void HeaderParseErrorsPointAtTheProblem(string header, string problem)
    {
        var ex = ReadFails(NpyFile(header, new byte[24]));
        Assert.StartsWith("x.npy: cannot parse .npy header '", ex.Message);
        Assert.EndsWith(problem, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'shape': (2,), }", "x.npy: .npy header has no 'fortran_order' key")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }", "x.npy: .npy header has unexpected key 'extra'")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "x.npy: .npy header 'fortran_order' is not True/False: 0")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 'a'), }", "x.npy: .npy header 'shape' is not a tuple of integers: (2, 'a')")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", "x.npy: shape (2, -3) is invalid: negative dimension -3")]
    public void HeaderContentErrors(string header, string message) =>
        Assert.Equal(message, ReadFails(NpyFile(header, new byte[8])).Message);

    [Theory]
    [InlineData("(100000, 100000, 1000)", "more than 2147483591 elements, the most a .NET array can hold")]
    [InlineData("(4294967296, 0)", "dimension 4294967296 is larger than 2147483647")]
    [InlineData("(99999999999999999999,)", "integer 99999999999999999999 is out of range at position 51")]
    public void ShapeOverflowIsReported(string shape, string problem)
    {
        var ex = ReadFails(NpyFile($"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}", []));
        Assert.EndsWith(problem, ex.Message);
        Assert.StartsWith("x.npy: ", ex.Message);
    }

    // ---- writing ----

    [Fact]
    public void InvalidShapeThrowsBeforeTouchingTheDestination()
    {
        string path = temp.File("keep.npy");
        Npy.Write(path, [1f, 2f, 3f], 3);
        byte[] before = File.ReadAllBytes(path);

        var ex = Assert.Throws<ArgumentException>(() => Npy.Write(path, [1f, 2f, 3f], 2, 2));
        Assert.StartsWith($"{path}: data has 3 elements but shape [2,2] needs 4", ex.Message);
        var scalar = Assert.Throws<ArgumentException>(() => Npy.Write(path, [1.0, 2.0]));
        Assert.Contains("an empty shape means a scalar", scalar.Message);
        Assert.Throws<ArgumentException>(() => Npy.Write(path, [1L], -1));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["keep.npy"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteReplacesAnExistingFile()
    {
        string path = temp.File("w.npy");
        Npy.Write(path, [1.0, 2.0, 3.0], 3);
        Npy.Write(path, [5L], 1, 1);
        var read = Npy.Read(path);
        Assert.Equal(NpyDtype.Int64, read.Dtype);
        Assert.Equal([1, 1], read.Shape);
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void WritingIntoAMissingDirectoryNamesTheFile()
    {
        string path = Path.Combine(temp.Path, "no-such-dir", "a.npy");
        var ex = Assert.Throws<TensorFileException>(() => Npy.Write(path, [1f], 1));
        Assert.Equal($"{path}: cannot write: directory does not exist", ex.Message);
    }

    // ---- .npz ----

    [Theory]
    [InlineData("stored.npz")]
    [InlineData("deflated.npz")]
    public void ReadsNumpyNpz(string fixture)
    {
        var arrays = Npz.Read(FixtureFiles.PathOf(fixture));
        Assert.Equal(["a", "b", "c"], arrays.Keys);
        Assert.Equal([2, 3], arrays["a"].Shape);
        Assert.Equal([0f, 1, 2, 3, 4, 5], (float[])arrays["a"].Data);
        Assert.Equal([1.5, -2.5], (double[])arrays["b"].Data);
        Assert.Equal([7L, 8, 9], (long[])arrays["c"].Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NpzRoundTripsInOrder(bool compress)
    {
        var arrays = new List<KeyValuePair<string, NpyArray>>
        {
            new("weights", Sample(NpyDtype.Float32, [3, 4])),
            new("bias", Sample(NpyDtype.Float64, [4])),
            new("steps", Sample(NpyDtype.Int64, [])),
            new("empty", Sample(NpyDtype.Float64, [0, 2])),
            new("labels", Sample(NpyDtype.UInt8, [5])),
        };
        string path = temp.File("out.npz");
        Npz.Write(path, arrays, compress);

        var read = Npz.Read(path);
        Assert.Equal(arrays.Select(kv => kv.Key), read.Keys);
        foreach (var (key, array) in arrays) AssertSame(array, read[key]);

        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(["weights.npy", "bias.npy", "steps.npy", "empty.npy", "labels.npy"], zip.Entries.Select(e => e.FullName));
        foreach (var entry in zip.Entries)
        {
            Assert.Equal(new DateTime(1980, 1, 1), entry.LastWriteTime.DateTime);
            if (!compress) Assert.Equal(entry.Length, entry.CompressedLength); // stored, like numpy.savez
        }
        // Members are plain .npy files byte-identical to Npy.Write's output.
        var expected = new MemoryStream();
        Npy.Write(expected, arrays[0].Value);
        using var member = zip.GetEntry("weights.npy")!.Open();
        var actual = new MemoryStream();
        member.CopyTo(actual);
        Assert.Equal(expected.ToArray(), actual.ToArray());
    }

    [Fact]
    public void NpzWriteIsReproducible()
    {
        var arrays = new Dictionary<string, NpyArray> { ["x"] = Sample(NpyDtype.Float32, [2, 2]) };
        Npz.Write(temp.File("1.npz"), arrays);
        Npz.Write(temp.File("2.npz"), arrays);
        Assert.Equal(File.ReadAllBytes(temp.File("1.npz")), File.ReadAllBytes(temp.File("2.npz")));
    }

    [Fact]
    public void NpzErrorsNameArchiveAndMember()
    {
        string notZip = temp.File("bad.npz");
        File.WriteAllBytes(notZip, FixtureFiles.Bytes("f4_2x3.npy"));
        Assert.StartsWith($"{notZip}: not a valid .npz (zip) archive",
            Assert.Throws<TensorFileException>(() => Npz.Read(notZip)).Message);

        string withText = temp.File("text.npz");
        using (var zip = ZipFile.Open(withText, ZipArchiveMode.Create))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open())) writer.Write("hi");
        }
        Assert.Equal($"{withText}[readme.txt]: archive member is not a .npy array",
            Assert.Throws<TensorFileException>(() => Npz.Read(withText)).Message);

        string truncatedMember = temp.File("trunc.npz");
        using (var zip = ZipFile.Open(truncatedMember, ZipArchiveMode.Create))
        {
            using var member = zip.CreateEntry("w.npy").Open();
            member.Write(FixtureFiles.Bytes("f4_2x3.npy").AsSpan(..^4));
        }
        Assert.Equal($"{truncatedMember}[w.npy]: expected 2x3 float32 = 24 bytes of data, found 20",
            Assert.Throws<TensorFileException>(() => Npz.Read(truncatedMember)).Message);

        Assert.Equal($"{temp.File("missing.npz")}: file not found",
            Assert.Throws<TensorFileException>(() => Npz.Read(temp.File("missing.npz"))).Message);
    }

    [Fact]
    public void NpzInvalidInputLeavesThePreviousFileIntact()
    {
        string path = temp.File("keep.npz");
        Npz.Write(path, new Dictionary<string, NpyArray> { ["a"] = Sample(NpyDtype.Float32, [2]) });
        byte[] before = File.ReadAllBytes(path);

        var duplicate = new[]
        {
            KeyValuePair.Create("a", Sample(NpyDtype.Float32, [1])),
            KeyValuePair.Create("a", Sample(NpyDtype.Float32, [1])),
        };
        Assert.Contains("array name 'a' appears more than once", Assert.Throws<ArgumentException>(() => Npz.Write(path, duplicate)).Message);
        Assert.Contains("array names must be non-empty",
            Assert.Throws<ArgumentException>(() => Npz.Write(path, [KeyValuePair.Create("", Sample(NpyDtype.Float32, [1]))])).Message);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    // ---- validation helper ----

    [Fact]
    public void FirstNonFiniteFindsTheFirstBadValue()
    {
        var values = new double[100];
        Assert.Null(Validation.FirstNonFinite(values));
        Assert.Equal(-1, Validation.IndexOfNonFinite(values));
        values[70] = double.NegativeInfinity;
        values[90] = double.NaN;
        Assert.Equal("-Inf at index 70", Validation.FirstNonFinite(values));
        values[3] = double.NaN;
        Assert.Equal("NaN at index 3", Validation.FirstNonFinite(values));

        var floats = new float[37];
        Assert.Null(Validation.FirstNonFinite(floats));
        floats[36] = float.PositiveInfinity;
        Assert.Equal("+Inf at index 36", Validation.FirstNonFinite(floats));
        Assert.Equal(36, Validation.IndexOfNonFinite(floats));
    }

    // ---- helpers ----

    /// <summary>A version 1.0 .npy with the given header dict text (padded as numpy does) and raw data.</summary>
    internal static byte[] NpyFile(string dict, byte[] data)
    {
        int length = dict.Length + 1;
        int padding = (64 - (10 + length) % 64) % 64;
        var header = new List<byte>();
        header.AddRange([0x93, .. "NUMPY"u8]);
        header.AddRange([1, 0]);
        header.AddRange(BitConverter.GetBytes((ushort)(length + padding)));
        header.AddRange(Encoding.Latin1.GetBytes(dict));
        header.AddRange(Enumerable.Repeat((byte)' ', padding));
        header.Add((byte)'\n');
        return [.. header, .. data];
    }

    private static byte[] Doubles(params double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Longs(params long[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    /// <summary>Wraps bytes in a stream that cannot seek, like a decompressing zip member.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream inner = new(bytes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 4096));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
