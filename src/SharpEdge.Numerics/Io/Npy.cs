using System.Globalization;
using System.Text;

namespace SharpEdge.Numerics.Io;

/// <summary>Element types understood by the tensor file readers and writers (all little-endian).</summary>
public enum NpyDtype
{
    Float32,
    Float64,
    Int64,
    Int32,
    UInt8,
}

/// <summary>Facts about each <see cref="NpyDtype"/>.</summary>
internal static class NpyDtypeInfo
{
    public static int ElementSize(this NpyDtype dtype) => dtype switch
    {
        NpyDtype.Float32 => 4,
        NpyDtype.Float64 => 8,
        NpyDtype.Int64 => 8,
        NpyDtype.Int32 => 4,
        NpyDtype.UInt8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>numpy's name, used in messages: "float32".</summary>
    public static string DisplayName(this NpyDtype dtype) => dtype switch
    {
        NpyDtype.Float32 => "float32",
        NpyDtype.Float64 => "float64",
        NpyDtype.Int64 => "int64",
        NpyDtype.Int32 => "int32",
        NpyDtype.UInt8 => "uint8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The .npy header descr numpy itself writes for this dtype.</summary>
    public static string NpyDescr(this NpyDtype dtype) => dtype switch
    {
        NpyDtype.Float32 => "<f4",
        NpyDtype.Float64 => "<f8",
        NpyDtype.Int64 => "<i8",
        NpyDtype.Int32 => "<i4",
        NpyDtype.UInt8 => "|u1",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    public static Type ArrayType(this NpyDtype dtype) => dtype switch
    {
        NpyDtype.Float32 => typeof(float[]),
        NpyDtype.Float64 => typeof(double[]),
        NpyDtype.Int64 => typeof(long[]),
        NpyDtype.Int32 => typeof(int[]),
        NpyDtype.UInt8 => typeof(byte[]),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    public static NpyDtype? FromArray(Array data) => data switch
    {
        float[] => NpyDtype.Float32,
        double[] => NpyDtype.Float64,
        long[] => NpyDtype.Int64,
        int[] => NpyDtype.Int32,
        byte[] => NpyDtype.UInt8,
        _ => null,
    };

    /// <summary>Allocates an array of <paramref name="count"/> elements and fills it from the stream; returns the bytes actually read.</summary>
    public static Array ReadArray(this NpyDtype dtype, Stream stream, int count, out long bytesRead)
    {
        switch (dtype)
        {
            case NpyDtype.Float32: { var a = GC.AllocateUninitializedArray<float>(count); bytesRead = TensorIo.ReadElements<float>(stream, a); return a; }
            case NpyDtype.Float64: { var a = GC.AllocateUninitializedArray<double>(count); bytesRead = TensorIo.ReadElements<double>(stream, a); return a; }
            case NpyDtype.Int64: { var a = GC.AllocateUninitializedArray<long>(count); bytesRead = TensorIo.ReadElements<long>(stream, a); return a; }
            case NpyDtype.Int32: { var a = GC.AllocateUninitializedArray<int>(count); bytesRead = TensorIo.ReadElements<int>(stream, a); return a; }
            case NpyDtype.UInt8: { var a = GC.AllocateUninitializedArray<byte>(count); bytesRead = TensorIo.ReadElements<byte>(stream, a); return a; }
            default: throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null);
        }
    }

    public static void WriteArray(Stream stream, Array data)
    {
        switch (data)
        {
            case float[] a: TensorIo.WriteElements<float>(stream, a); break;
            case double[] a: TensorIo.WriteElements<double>(stream, a); break;
            case long[] a: TensorIo.WriteElements<long>(stream, a); break;
            case int[] a: TensorIo.WriteElements<int>(stream, a); break;
            case byte[] a: TensorIo.WriteElements<byte>(stream, a); break;
            default: throw new ArgumentException($"unsupported element array type {data.GetType().Name}", nameof(data));
        }
    }
}

/// <summary>A C-order (row-major) n-dimensional array as stored in a .npy file.</summary>
public sealed class NpyArray
{
    public NpyArray(float[] data, params int[] shape) : this(NpyDtype.Float32, shape, data) { }

    public NpyArray(double[] data, params int[] shape) : this(NpyDtype.Float64, shape, data) { }

    public NpyArray(long[] data, params int[] shape) : this(NpyDtype.Int64, shape, data) { }

    public NpyArray(int[] data, params int[] shape) : this(NpyDtype.Int32, shape, data) { }

    public NpyArray(byte[] data, params int[] shape) : this(NpyDtype.UInt8, shape, data) { }

    /// <param name="dtype">Element type; must match the element type of <paramref name="data"/>.</param>
    /// <param name="shape">Dimensions; empty for a scalar. Copied.</param>
    /// <param name="data">float[], double[], long[], int[] or byte[] with exactly product(shape) elements. Not copied.</param>
    public NpyArray(NpyDtype dtype, int[] shape, Array data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        if (data.GetType() != dtype.ArrayType())
            throw new ArgumentException($"{dtype.DisplayName()} data must be a {dtype.ArrayType().Name}, got {data.GetType().Name}", nameof(data));
        long count = TensorIo.ElementCountOrThrow(shape, "NpyArray", nameof(shape));
        if (count != data.Length)
            throw new ArgumentException($"data has {data.Length} elements but shape {TensorIo.FormatShape(shape)} needs {count}", nameof(data));
        Dtype = dtype;
        Shape = (int[])shape.Clone();
        Data = data;
    }

    public NpyDtype Dtype { get; }

    /// <summary>Dimensions in C order; empty for a scalar.</summary>
    public int[] Shape { get; }

    /// <summary>The elements: float[], double[], long[], int[] or byte[] according to <see cref="Dtype"/>.</summary>
    public Array Data { get; }

    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public long Length => Data.LongLength;

    /// <summary>The data as float32: the stored array itself when already float32, else a converted copy (float64 is rounded).</summary>
    public float[] AsFloat32() => Data switch
    {
        float[] a => a,
        double[] a => Array.ConvertAll(a, x => (float)x),
        long[] a => Array.ConvertAll(a, x => (float)x),
        int[] a => Array.ConvertAll(a, x => (float)x),
        byte[] a => Array.ConvertAll(a, x => (float)x),
        _ => throw new InvalidOperationException($"unexpected data type {Data.GetType().Name}"),
    };

    /// <summary>The data as float64: the stored array itself when already float64, else a converted copy.</summary>
    public double[] AsFloat64() => Data switch
    {
        double[] a => a,
        float[] a => Array.ConvertAll(a, x => (double)x),
        long[] a => Array.ConvertAll(a, x => (double)x),
        int[] a => Array.ConvertAll(a, x => (double)x),
        byte[] a => Array.ConvertAll(a, x => (double)x),
        _ => throw new InvalidOperationException($"unexpected data type {Data.GetType().Name}"),
    };

    /// <summary>The data as int64: the stored array itself when already int64, else a widened copy. Floating-point data throws rather than truncate.</summary>
    public long[] AsInt64() => Data switch
    {
        long[] a => a,
        int[] a => Array.ConvertAll(a, x => (long)x),
        byte[] a => Array.ConvertAll(a, x => (long)x),
        _ => throw new InvalidOperationException(
            $"cannot convert a {Dtype.DisplayName()} array to int64 (it would truncate); use AsFloat64() or round explicitly"),
    };

    /// <summary>The values as a float32 or float64 tensor of the same shape (converting copies where the dtype differs).</summary>
    public Tensor<T> ToTensor<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(double)) return (Tensor<T>)(object)new Tensor<double>(AsFloat64(), Shape);
        if (typeof(T) == typeof(float)) return (Tensor<T>)(object)new Tensor<float>(AsFloat32(), Shape);
        throw new NotSupportedException($"tensors of {typeof(T).Name}");
    }

    public override string ToString() => $"{Dtype.DisplayName()}{TensorIo.FormatShape(Shape)}";
}

/// <summary>
/// NumPy .npy files: reads format versions 1.0, 2.0 and 3.0; writes 1.0 (2.0 only when the
/// header would not fit), byte-for-byte as <c>numpy.save</c> does. C order only.
/// </summary>
public static class Npy
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // numpy pads the header so the data starts on this boundary (lets it be memory-mapped).
    private const int ArrayAlign = 64;

    // numpy also leaves room to grow the first dimension in place: repr(shape[0]) padded to this width.
    private const int GrowthAxisMaxDigits = 21;

    // Real headers are ~128 bytes; numpy itself refuses anything over 10000 characters by default.
    private const int MaxHeaderBytes = 1 << 20;

    public static NpyArray Read(string path)
    {
        using var stream = TensorIo.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads one array from the current position; <paramref name="nameForErrors"/> starts every error message.</summary>
    public static NpyArray Read(Stream stream, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(nameForErrors);
        TensorIo.EnsureLittleEndianHost();
        var (dtype, shape, count) = ReadHeader(stream, nameForErrors);

        long expectedBytes = count * dtype.ElementSize();
        // Check before allocating so a truncated file with a huge shape fails fast and cheaply.
        if (TensorIo.Remaining(stream) is long remaining && remaining < expectedBytes)
            throw Truncated(nameForErrors, shape, dtype, expectedBytes, remaining);
        var data = dtype.ReadArray(stream, (int)count, out long found);
        if (found < expectedBytes)
            throw Truncated(nameForErrors, shape, dtype, expectedBytes, found);
        return new NpyArray(dtype, shape, data);
    }

    public static void Write(string path, ReadOnlySpan<float> data, params int[] shape) => WriteFile(path, data, shape, NpyDtype.Float32);

    public static void Write(string path, ReadOnlySpan<double> data, params int[] shape) => WriteFile(path, data, shape, NpyDtype.Float64);

    public static void Write(string path, ReadOnlySpan<long> data, params int[] shape) => WriteFile(path, data, shape, NpyDtype.Int64);

    public static void Write(string path, ReadOnlySpan<int> data, params int[] shape) => WriteFile(path, data, shape, NpyDtype.Int32);

    public static void Write(string path, ReadOnlySpan<byte> data, params int[] shape) => WriteFile(path, data, shape, NpyDtype.UInt8);

    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        var header = BuildHeader(array.Dtype, array.Shape);
        using var file = new AtomicFileWriter(path);
        file.Stream.Write(header);
        NpyDtypeInfo.WriteArray(file.Stream, array.Data);
        file.Commit();
    }

    public static void Write(Stream stream, ReadOnlySpan<float> data, params int[] shape) => WriteStream(stream, data, shape, NpyDtype.Float32);

    public static void Write(Stream stream, ReadOnlySpan<double> data, params int[] shape) => WriteStream(stream, data, shape, NpyDtype.Float64);

    public static void Write(Stream stream, ReadOnlySpan<long> data, params int[] shape) => WriteStream(stream, data, shape, NpyDtype.Int64);

    public static void Write(Stream stream, ReadOnlySpan<int> data, params int[] shape) => WriteStream(stream, data, shape, NpyDtype.Int32);

    public static void Write(Stream stream, ReadOnlySpan<byte> data, params int[] shape) => WriteStream(stream, data, shape, NpyDtype.UInt8);

    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        stream.Write(BuildHeader(array.Dtype, array.Shape));
        NpyDtypeInfo.WriteArray(stream, array.Data);
    }

    private static void WriteFile<T>(string path, ReadOnlySpan<T> data, int[] shape, NpyDtype dtype) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(path);
        // Validate everything before the destination (or even a temp file) is touched.
        CheckShape(path, data.Length, shape);
        var header = BuildHeader(dtype, shape);
        using var file = new AtomicFileWriter(path);
        file.Stream.Write(header);
        TensorIo.WriteElements(file.Stream, data);
        file.Commit();
    }

    private static void WriteStream<T>(Stream stream, ReadOnlySpan<T> data, int[] shape, NpyDtype dtype) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckShape("npy stream", data.Length, shape);
        stream.Write(BuildHeader(dtype, shape));
        TensorIo.WriteElements(stream, data);
    }

    private static void CheckShape(string context, int dataLength, int[] shape)
    {
        long count = TensorIo.ElementCountOrThrow(shape, context, nameof(shape));
        if (count != dataLength)
        {
            string hint = shape.Length == 0 ? " (an empty shape means a scalar; pass the dimensions, e.g. Write(path, data, data.Length))" : "";
            throw new ArgumentException($"{context}: data has {dataLength} elements but shape {TensorIo.FormatShape(shape)} needs {count}{hint}", nameof(shape));
        }
    }

    /// <summary>Magic, version, header length and the padded header dict, exactly as numpy writes them.</summary>
    internal static byte[] BuildHeader(NpyDtype dtype, ReadOnlySpan<int> shape)
    {
        var dict = new StringBuilder(128);
        dict.Append("{'descr': '").Append(dtype.NpyDescr()).Append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) dict.Append(", ");
            dict.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }
        if (shape.Length == 1) dict.Append(','); // Python's one-element tuple
        dict.Append("), }");
        if (shape.Length > 0)
            dict.Append(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);

        int dictLength = dict.Length + 1; // + the terminating '\n'
        int major = 1;
        int prefixLength = Magic.Length + 2 + 2;
        int padding = ArrayAlign - (prefixLength + dictLength) % ArrayAlign;
        if (dictLength + padding > ushort.MaxValue)
        {
            major = 2;
            prefixLength = Magic.Length + 2 + 4;
            padding = ArrayAlign - (prefixLength + dictLength) % ArrayAlign;
        }

        var bytes = new byte[prefixLength + dictLength + padding];
        Magic.CopyTo(bytes);
        bytes[Magic.Length] = (byte)major;
        bytes[Magic.Length + 1] = 0;
        int headerLength = dictLength + padding;
        if (major == 1)
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(Magic.Length + 2), (ushort)headerLength);
        else
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(Magic.Length + 2), (uint)headerLength);
        int written = Encoding.ASCII.GetBytes(dict.ToString(), bytes.AsSpan(prefixLength));
        bytes.AsSpan(prefixLength + written, padding).Fill((byte)' ');
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    private static (NpyDtype Dtype, int[] Shape, long Count) ReadHeader(Stream stream, string name)
    {
        Span<byte> prefix = stackalloc byte[Magic.Length + 2];
        int got = TensorIo.ReadUpTo(stream, prefix);
        if (got < Magic.Length || !prefix[..Magic.Length].SequenceEqual(Magic))
        {
            if (got == 0) throw new TensorFileException(name, "not a .npy file (it is empty)");
            if (got >= 2 && prefix[0] == (byte)'P' && prefix[1] == (byte)'K')
                throw new TensorFileException(name, "not a .npy file (bad magic: it is a zip archive, perhaps a .npz; use Npz.Read)");
            throw new TensorFileException(name, $"not a .npy file (bad magic: starts with {Convert.ToHexString(prefix[..got])}, expected 934E554D5059)");
        }
        if (got < prefix.Length) throw new TensorFileException(name, "truncated .npy header");

        int major = prefix[Magic.Length], minor = prefix[Magic.Length + 1];
        int lengthFieldSize = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new TensorFileException(name, $"unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)"),
        };
        Span<byte> lengthField = stackalloc byte[4];
        if (TensorIo.ReadUpTo(stream, lengthField[..lengthFieldSize]) < lengthFieldSize)
            throw new TensorFileException(name, "truncated .npy header");
        uint headerLength = lengthFieldSize == 2
            ? System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(lengthField)
            : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        if (headerLength > MaxHeaderBytes)
            throw new TensorFileException(name, $".npy header claims {headerLength} bytes, more than the {MaxHeaderBytes} allowed");
        var headerBytes = new byte[headerLength];
        int headerGot = TensorIo.ReadUpTo(stream, headerBytes);
        if (headerGot < headerBytes.Length)
            throw new TensorFileException(name, $"truncated .npy header: expected {headerLength} bytes, found {headerGot}");
        // Versions 1 and 2 are latin-1; version 3 allows UTF-8 (for unicode field names).
        string text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        Dictionary<string, object> dict;
        try
        {
            dict = PyLiteral.ParseDict(text);
        }
        catch (FormatException e)
        {
            throw new TensorFileException(name, $"cannot parse .npy header {PyLiteral.Quote(Abbreviate(text.Trim()))}: {e.Message}");
        }
        foreach (string key in dict.Keys)
            if (key is not ("descr" or "fortran_order" or "shape"))
                throw new TensorFileException(name, $".npy header has unexpected key '{key}'");
        foreach (string key in (string[])["descr", "fortran_order", "shape"])
            if (!dict.ContainsKey(key))
                throw new TensorFileException(name, $".npy header has no '{key}' key");

        var dtype = ParseDescr(name, dict["descr"]);
        var shape = ParseShape(name, dict["shape"], out long count);
        if (dict["fortran_order"] is not bool fortranOrder)
            throw new TensorFileException(name, $".npy header 'fortran_order' is not True/False: {PyLiteral.Repr(dict["fortran_order"])}");
        // With at most one dimension longer than 1, Fortran and C order lay the bytes out identically.
        if (fortranOrder && shape.Count(d => d > 1) > 1)
            throw new TensorFileException(name,
                $"array of shape {TensorIo.FormatShape(shape)} is stored in Fortran (column-major) order, which is not supported; save np.ascontiguousarray(a) instead");
        return (dtype, shape, count);
    }

    private static NpyDtype ParseDescr(string name, object descr)
    {
        if (descr is not string text)
            throw new TensorFileException(name, $"unsupported dtype {PyLiteral.Repr(descr)} (structured arrays are not supported)");
        switch (text)
        {
            case "<f4": return NpyDtype.Float32;
            case "<f8": return NpyDtype.Float64;
            case "<i8": return NpyDtype.Int64;
            case "<i4": return NpyDtype.Int32;
            case "|u1" or "<u1" or ">u1" or "=u1":
            case "|b1": return NpyDtype.UInt8; // bool is one byte 0/1; read it as uint8
        }
        string hint = text.StartsWith('>') ? "; it is big-endian, re-save with a.astype(a.dtype.newbyteorder('<'))" : "";
        throw new TensorFileException(name, $"unsupported dtype '{text}' (supported: <f4, <f8, <i8, <i4, |u1, |b1){hint}");
    }

    private static int[] ParseShape(string name, object value, out long count)
    {
        if (value is not List<object> items || items.Any(item => item is not long))
            throw new TensorFileException(name, $".npy header 'shape' is not a tuple of integers: {PyLiteral.Repr(value)}");
        var dims = items.Cast<long>().ToArray();
        count = TensorIo.ElementCount(dims, out string? problem)
            ?? throw new TensorFileException(name, $"shape {PyLiteral.Repr(value)} is invalid: {problem}");
        return Array.ConvertAll(dims, d => (int)d);
    }

    private static TensorFileException Truncated(string name, int[] shape, NpyDtype dtype, long expected, long found)
    {
        string dims = shape.Length == 0 ? "scalar" : string.Join("x", shape);
        return new TensorFileException(name, $"expected {dims} {dtype.DisplayName()} = {expected} bytes of data, found {found}");
    }

    private static string Abbreviate(string text) => text.Length <= 200 ? text : text[..200] + "...";
}

/// <summary>
/// Parser for the Python literal subset found in .npy headers: dicts, tuples/lists, strings,
/// integers (with Python 2's trailing L), True/False/None. Returns string, long, bool, null,
/// List&lt;object&gt; and Dictionary&lt;string, object&gt;; throws FormatException.
/// </summary>
internal sealed class PyLiteral
{
    private readonly string text;
    private int position;

    private PyLiteral(string text) => this.text = text;

    public static Dictionary<string, object> ParseDict(string text)
    {
        var parser = new PyLiteral(text);
        parser.SkipSpace();
        if (parser.Peek() != '{') throw parser.Error("expected '{'");
        var dict = (Dictionary<string, object>)parser.ParseValue()!;
        parser.SkipSpace();
        if (parser.position < text.Length) throw parser.Error("unexpected text after the dict");
        return dict;
    }

    public static string Repr(object? value) => value switch
    {
        null => "None",
        string s => Quote(s),
        bool b => b ? "True" : "False",
        long n => n.ToString(CultureInfo.InvariantCulture),
        List<object> items => "(" + string.Join(", ", items.Select(Repr)) + (items.Count == 1 ? ",)" : ")"),
        Dictionary<string, object> d => "{" + string.Join(", ", d.Select(kv => $"{Quote(kv.Key)}: {Repr(kv.Value)}")) + "}",
        _ => value.ToString() ?? "",
    };

    /// <summary>Python-style single-quoted repr, with control characters escaped so messages stay on one line.</summary>
    public static string Quote(string s)
    {
        var quoted = new StringBuilder(s.Length + 2).Append('\'');
        foreach (char c in s)
        {
            if (c is '\\' or '\'') quoted.Append('\\').Append(c);
            else if (char.IsControl(c)) quoted.Append(c == '\n' ? "\\n" : $"\\x{(int)c:x2}");
            else quoted.Append(c);
        }
        return quoted.Append('\'').ToString();
    }

    private char Peek() => position < text.Length ? text[position] : '\0';

    private FormatException Error(string problem) =>
        new(position < text.Length ? $"{problem} at position {position}" : $"{problem} at end of header");

    private void SkipSpace()
    {
        while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (Peek() != c) throw Error($"expected '{c}'");
        position++;
    }

    private object? ParseValue()
    {
        SkipSpace();
        char c = Peek();
        switch (c)
        {
            case '{':
            {
                position++;
                var dict = new Dictionary<string, object>();
                while (true)
                {
                    SkipSpace();
                    if (Peek() == '}') { position++; return dict; }
                    int keyAt = position;
                    if (ParseValue() is not string key) { position = keyAt; throw Error("expected a string key"); }
                    Expect(':');
                    var value = ParseValue();
                    if (!dict.TryAdd(key, value!)) { position = keyAt; throw Error($"duplicate key '{key}'"); }
                    SkipSpace();
                    if (Peek() == ',') position++;
                    else if (Peek() != '}') throw Error("expected ',' or '}'");
                }
            }
            case '(' or '[':
            {
                char close = c == '(' ? ')' : ']';
                position++;
                var items = new List<object>();
                while (true)
                {
                    SkipSpace();
                    if (Peek() == close) { position++; return items; }
                    items.Add(ParseValue()!);
                    SkipSpace();
                    if (Peek() == ',') position++;
                    else if (Peek() != close) throw Error($"expected ',' or '{close}'");
                }
            }
            case '\'' or '"':
                return ParseString(c);
            case '\0':
                throw Error("expected a value");
        }
        if (c == '-' || c == '+' || char.IsAsciiDigit(c)) return ParseInteger();
        if (char.IsAsciiLetter(c))
        {
            int start = position;
            while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] == '_')) position++;
            string word = text[start..position];
            switch (word)
            {
                case "True": return true;
                case "False": return false;
                case "None": return null;
            }
            position = start;
            throw Error($"unexpected name '{word}'");
        }
        throw Error($"unexpected character '{c}'");
    }

    private string ParseString(char quote)
    {
        position++;
        var value = new StringBuilder();
        while (true)
        {
            if (position >= text.Length) throw Error("unterminated string");
            char c = text[position++];
            if (c == quote) return value.ToString();
            if (c != '\\') { value.Append(c); continue; }
            if (position >= text.Length) throw Error("unterminated string");
            char escaped = text[position++];
            value.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => escaped });
        }
    }

    private long ParseInteger()
    {
        int start = position;
        if (Peek() is '-' or '+') position++;
        while (position < text.Length && char.IsAsciiDigit(text[position])) position++;
        string digits = text[start..position];
        if (Peek() is 'L' or 'l') position++; // Python 2 long suffix in old headers
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            position = start;
            throw Error(digits.TrimStart('-', '+').Length == 0 ? "expected digits" : $"integer {digits} is out of range");
        }
        return value;
    }
}
