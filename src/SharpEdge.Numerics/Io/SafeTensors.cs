using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SharpEdge.Numerics.Io;

/// <summary>One named tensor of a safetensors file. <paramref name="Data"/> is float[], double[], long[], int[] or byte[] matching <paramref name="Dtype"/>, C order.</summary>
public sealed record TensorEntry(string Name, NpyDtype Dtype, int[] Shape, Array Data)
{
    public TensorEntry(string name, float[] data, params int[] shape) : this(name, NpyDtype.Float32, shape, data) { }

    public TensorEntry(string name, double[] data, params int[] shape) : this(name, NpyDtype.Float64, shape, data) { }

    public TensorEntry(string name, long[] data, params int[] shape) : this(name, NpyDtype.Int64, shape, data) { }

    public TensorEntry(string name, int[] data, params int[] shape) : this(name, NpyDtype.Int32, shape, data) { }

    public TensorEntry(string name, byte[] data, params int[] shape) : this(name, NpyDtype.UInt8, shape, data) { }
}

/// <summary>
/// The safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// mapping tensor names to {dtype, shape, data_offsets} (plus optional string→string
/// "__metadata__"), then the tensors tightly packed. Offsets count from the byte after the
/// header. Supports F32, F64, I64, I32 and U8.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

    // Same limit as the reference implementation; a larger "length" means this isn't a safetensors file.
    private const ulong MaxHeaderBytes = 100_000_000;

    private static readonly JsonWriterOptions HeaderJsonOptions = new()
    {
        // Like serde_json: non-ASCII names stay UTF-8 rather than \uXXXX.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static (IReadOnlyList<TensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        using var stream = TensorIo.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads every tensor (in header order) and the metadata from the current position of <paramref name="stream"/>.</summary>
    public static (IReadOnlyList<TensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(Stream stream, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(nameForErrors);
        TensorIo.EnsureLittleEndianHost();
        var header = ReadHeader(stream, nameForErrors);
        var data = new Dictionary<string, Array>(StringComparer.Ordinal);
        long dataRead = 0;
        // Tensors are contiguous in offset order, so one sequential pass reads them all.
        foreach (var tensor in header.ByOffset)
        {
            data[tensor.Name] = tensor.Dtype.ReadArray(stream, (int)tensor.ElementCount, out long got);
            dataRead += got;
            if (got < tensor.ByteLength) throw Truncated(nameForErrors, header, dataRead);
        }
        var entries = header.Tensors.Select(t => new TensorEntry(t.Name, t.Dtype, t.Shape, data[t.Name])).ToList();
        return (entries, header.Metadata);
    }

    /// <summary>
    /// Writes the tensors in the given order, atomically (temporary file, then rename). Every
    /// tensor is validated (name, dtype vs data type, data length vs shape) before the
    /// destination is touched. <paramref name="metadata"/> null omits "__metadata__".
    /// </summary>
    public static void Write(string path, IEnumerable<TensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var list = Validate(path, tensors, metadata);
        var header = BuildHeader(list, metadata);
        using var file = new AtomicFileWriter(path);
        WriteBody(file.Stream, header, list);
        file.Commit();
    }

    /// <inheritdoc cref="Write(string, IEnumerable{TensorEntry}, IReadOnlyDictionary{string, string}?)"/>
    public static void Write(Stream stream, IEnumerable<TensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var list = Validate("safetensors stream", tensors, metadata);
        WriteBody(stream, BuildHeader(list, metadata), list);
    }

    /// <summary>
    /// Loads the file into <paramref name="flat"/>, laid out as the <paramref name="expected"/>
    /// tensors concatenated in order (F32 and F64 tensors both accepted, converted as needed).
    /// The file must hold exactly those tensors with exactly those shapes.
    /// </summary>
    public static void ReadInto(string path, IReadOnlyList<(string Name, int[] Shape)> expected, Span<double> flat) =>
        ReadIntoCore(path, expected, flat);

    /// <inheritdoc cref="ReadInto(string, IReadOnlyList{ValueTuple{string, int[]}}, Span{double})"/>
    public static void ReadInto(string path, IReadOnlyList<(string Name, int[] Shape)> expected, Span<float> flat) =>
        ReadIntoCore(path, expected, flat);

    private static void ReadIntoCore<T>(string path, IReadOnlyList<(string Name, int[] Shape)> expected, Span<T> flat) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(expected);
        TensorIo.EnsureLittleEndianHost();

        // Where each expected tensor lands in the flat vector.
        var layout = new Dictionary<string, (int[] Shape, long Offset)>(StringComparer.Ordinal);
        long total = 0;
        foreach (var (name, shape) in expected)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(expected));
            long count = TensorIo.ElementCountOrThrow(shape, $"expected tensor '{name}'", nameof(expected));
            if (!layout.TryAdd(name, (shape, total)))
                throw new ArgumentException($"expected tensor '{name}' is listed more than once", nameof(expected));
            total += count;
        }
        if (total != flat.Length)
            throw new ArgumentException($"the expected tensors hold {total} values but the destination has {flat.Length}", nameof(flat));

        using var stream = TensorIo.OpenRead(path);
        var header = ReadHeader(stream, path);
        var byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var (name, shape) in expected)
        {
            if (!byName.TryGetValue(name, out var tensor))
                throw new TensorFileException(path, $"missing tensor '{name}' {TensorIo.FormatShape(shape)}");
            if (!tensor.Shape.AsSpan().SequenceEqual(shape))
                throw new TensorFileException(path, $"tensor '{name}' has shape {TensorIo.FormatShape(tensor.Shape)}, expected {TensorIo.FormatShape(shape)}");
            if (tensor.Dtype is not (NpyDtype.Float32 or NpyDtype.Float64))
                throw new TensorFileException(path, $"tensor '{name}' has dtype {SafeTensorsCode(tensor.Dtype)}, expected F32 or F64");
        }
        foreach (var tensor in header.Tensors)
            if (!layout.ContainsKey(tensor.Name))
                throw new TensorFileException(path, $"unexpected tensor '{tensor.Name}' {TensorIo.FormatShape(tensor.Shape)}");

        var target = typeof(T) == typeof(double) ? NpyDtype.Float64 : NpyDtype.Float32;
        long dataRead = 0;
        foreach (var tensor in header.ByOffset)
        {
            var destination = flat.Slice((int)layout[tensor.Name].Offset, (int)tensor.ElementCount);
            long got = tensor.Dtype == target
                ? TensorIo.ReadElements(stream, destination)
                : ReadConverting(stream, MemoryMarshal.Cast<T, byte>(destination), tensor.Dtype);
            dataRead += got;
            if (got < tensor.ByteLength) throw Truncated(path, header, dataRead);
        }
    }

    /// <summary>Reads F32 into an F64 destination or vice versa, through a small buffer; returns the bytes read.</summary>
    private static long ReadConverting(Stream stream, Span<byte> destinationBytes, NpyDtype source)
    {
        const int ChunkElements = 1 << 14;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkElements * 8);
        try
        {
            long total = 0;
            if (source == NpyDtype.Float32)
            {
                var destination = MemoryMarshal.Cast<byte, double>(destinationBytes);
                var chunk = MemoryMarshal.Cast<byte, float>(buffer.AsSpan(0, ChunkElements * 4));
                while (!destination.IsEmpty)
                {
                    int n = Math.Min(chunk.Length, destination.Length);
                    int got = TensorIo.ReadUpTo(stream, MemoryMarshal.AsBytes(chunk[..n]));
                    total += got;
                    if (got < n * 4) break;
                    for (int i = 0; i < n; i++) destination[i] = chunk[i];
                    destination = destination[n..];
                }
            }
            else
            {
                var destination = MemoryMarshal.Cast<byte, float>(destinationBytes);
                var chunk = MemoryMarshal.Cast<byte, double>(buffer.AsSpan(0, ChunkElements * 8));
                while (!destination.IsEmpty)
                {
                    int n = Math.Min(chunk.Length, destination.Length);
                    int got = TensorIo.ReadUpTo(stream, MemoryMarshal.AsBytes(chunk[..n]));
                    total += got;
                    if (got < n * 8) break;
                    for (int i = 0; i < n; i++) destination[i] = (float)chunk[i];
                    destination = destination[n..];
                }
            }
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed record HeaderTensor(string Name, NpyDtype Dtype, int[] Shape, long ElementCount, long Begin, long End)
    {
        public long ByteLength => End - Begin;
    }

    private sealed record Header(List<HeaderTensor> Tensors, List<HeaderTensor> ByOffset, IReadOnlyDictionary<string, string> Metadata, long DataLength);

    /// <summary>Reads and fully validates the header, leaving the stream at the first data byte.</summary>
    private static Header ReadHeader(Stream stream, string name)
    {
        long? fileRemaining = TensorIo.Remaining(stream);
        Span<byte> lengthField = stackalloc byte[8];
        int got = TensorIo.ReadUpTo(stream, lengthField);
        if (got < 8)
            throw new TensorFileException(name, $"truncated: {got} bytes is too short for a safetensors header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
        if (headerLength > MaxHeaderBytes)
            throw new TensorFileException(name, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit (not a safetensors file?)");
        if (fileRemaining is long remaining && (long)headerLength > remaining - 8)
            throw new TensorFileException(name, $"truncated: header length is {headerLength} bytes but only {remaining - 8} follow");
        var headerBytes = new byte[headerLength];
        int headerGot = TensorIo.ReadUpTo(stream, headerBytes);
        if (headerGot < headerBytes.Length)
            throw new TensorFileException(name, $"truncated: header length is {headerLength} bytes but only {headerGot} follow");

        var (tensors, metadata) = ParseHeaderJson(name, headerBytes);

        // The data region must be exactly the tensors laid end to end, as the reference reader demands.
        var byOffset = tensors.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        long expectedBegin = 0;
        HeaderTensor? previous = null;
        foreach (var tensor in byOffset)
        {
            if (tensor.Begin < expectedBegin)
                throw new TensorFileException(name,
                    $"tensors '{previous!.Name}' [{previous.Begin},{previous.End}] and '{tensor.Name}' [{tensor.Begin},{tensor.End}] have overlapping data_offsets");
            if (tensor.Begin > expectedBegin)
                throw new TensorFileException(name, $"{tensor.Begin - expectedBegin} unused bytes before tensor '{tensor.Name}' (data_offsets must be contiguous)");
            expectedBegin = tensor.End;
            previous = tensor;
        }
        long dataLength = expectedBegin;
        if (fileRemaining is long fileBytes)
        {
            long available = fileBytes - 8 - (long)headerLength;
            var last = byOffset.Count > 0 ? byOffset[^1] : null;
            if (available < dataLength)
                throw new TensorFileException(name,
                    $"truncated: tensor '{last!.Name}' ends at data offset {last.End} but only {available} bytes of data follow the header");
            if (available > dataLength)
                throw new TensorFileException(name, $"{available - dataLength} bytes after the last tensor's data (data_offsets do not cover the file)");
        }
        return new Header(tensors, byOffset, metadata, dataLength);
    }

    private static (List<HeaderTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) ParseHeaderJson(string name, byte[] headerBytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new TensorFileException(name, $"bad header JSON: {TensorIo.OneLine(e.Message)}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new TensorFileException(name, $"bad header JSON: expected an object, found {root.ValueKind}");
            var tensors = new List<HeaderTensor>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (sawMetadata) throw new TensorFileException(name, "bad header: \"__metadata__\" appears twice");
                    sawMetadata = true;
                    ParseMetadata(name, property.Value, metadata);
                    continue;
                }
                if (!seen.Add(property.Name))
                    throw new TensorFileException(name, $"bad header: tensor '{property.Name}' appears twice");
                tensors.Add(ParseTensor(name, property.Name, property.Value));
            }
            return (tensors, metadata);
        }
    }

    private static void ParseMetadata(string name, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw new TensorFileException(name, $"bad header: \"__metadata__\" must be an object of strings, found {value.ValueKind}");
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new TensorFileException(name, $"bad header: metadata value for '{entry.Name}' is {entry.Value.ValueKind}, not a string");
            metadata[entry.Name] = entry.Value.GetString()!;
        }
    }

    private static HeaderTensor ParseTensor(string name, string tensorName, JsonElement value)
    {
        TensorFileException Bad(string problem) => new(name, $"bad header for tensor '{tensorName}': {problem}");

        if (value.ValueKind != JsonValueKind.Object) throw Bad($"expected an object, found {value.ValueKind}");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad("missing string \"dtype\"");
        string dtypeCode = dtypeElement.GetString()!;
        var dtype = FromSafeTensorsCode(dtypeCode)
            ?? throw new TensorFileException(name, $"tensor '{tensorName}' has unsupported dtype '{dtypeCode}' (supported: F32, F64, I64, I32, U8)");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Bad("missing array \"shape\"");
        var dims = new List<long>();
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d))
                throw Bad($"shape {shapeElement.GetRawText()} is not a list of integers");
            dims.Add(d);
        }
        long elementCount = TensorIo.ElementCount(dims.ToArray(), out string? problem)
            ?? throw Bad($"shape {shapeElement.GetRawText()} is invalid: {problem}");

        if (!value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
            throw Bad("missing \"data_offsets\" [begin, end]");
        var offsets = new long[2];
        int i = 0;
        foreach (var offset in offsetsElement.EnumerateArray())
        {
            if (offset.ValueKind != JsonValueKind.Number || !offset.TryGetInt64(out offsets[i]) || offsets[i] < 0)
                throw Bad($"data_offsets {offsetsElement.GetRawText()} are not two non-negative integers");
            i++;
        }
        long begin = offsets[0], end = offsets[1];
        if (end < begin) throw Bad($"data_offsets [{begin},{end}] end before they begin");
        long byteLength = elementCount * dtype.ElementSize();
        if (end - begin != byteLength)
            throw Bad($"data_offsets [{begin},{end}] span {end - begin} bytes but shape {shapeElement.GetRawText()} {dtypeCode} needs {byteLength}");
        return new HeaderTensor(tensorName, dtype, Array.ConvertAll(dims.ToArray(), d => (int)d), elementCount, begin, end);
    }

    private static List<TensorEntry> Validate(string context, IEnumerable<TensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in list)
        {
            if (tensor is null) throw new ArgumentException($"{context}: null tensor entry", nameof(tensors));
            if (string.IsNullOrEmpty(tensor.Name)) throw new ArgumentException($"{context}: tensor names must be non-empty", nameof(tensors));
            if (tensor.Name == MetadataKey) throw new ArgumentException($"{context}: '{MetadataKey}' is reserved and cannot name a tensor", nameof(tensors));
            if (!seen.Add(tensor.Name)) throw new ArgumentException($"{context}: tensor '{tensor.Name}' appears more than once", nameof(tensors));
            _ = SafeTensorsCode(tensor.Dtype);
            if (tensor.Data is null || tensor.Data.GetType() != tensor.Dtype.ArrayType())
                throw new ArgumentException(
                    $"{context}: tensor '{tensor.Name}' is {tensor.Dtype} but its data is {tensor.Data?.GetType().Name ?? "null"}, not {tensor.Dtype.ArrayType().Name}",
                    nameof(tensors));
            long count = TensorIo.ElementCountOrThrow(tensor.Shape, $"{context}: tensor '{tensor.Name}'", nameof(tensors));
            if (count != tensor.Data.Length)
                throw new ArgumentException(
                    $"{context}: tensor '{tensor.Name}' has {tensor.Data.Length} values but shape {TensorIo.FormatShape(tensor.Shape)} needs {count}",
                    nameof(tensors));
        }
        if (metadata is not null)
            foreach (var (key, value) in metadata)
                if (value is null) throw new ArgumentException($"{context}: metadata value for '{key}' is null", nameof(metadata));
        return list;
    }

    /// <summary>Length prefix + compact JSON header, padded with spaces to a multiple of 8 like the reference writer.</summary>
    private static byte[] BuildHeader(List<TensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json, HeaderJsonOptions))
        {
            writer.WriteStartObject();
            if (metadata is not null)
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var tensor in tensors)
            {
                long end = offset + tensor.Data.LongLength * tensor.Dtype.ElementSize();
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", SafeTensorsCode(tensor.Dtype));
                writer.WriteStartArray("shape");
                foreach (int dim in tensor.Shape) writer.WriteNumberValue(dim);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset = end;
            }
            writer.WriteEndObject();
        }
        int padded = (json.WrittenCount + 7) / 8 * 8;
        var bytes = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.WrittenSpan.CopyTo(bytes.AsSpan(8));
        bytes.AsSpan(8 + json.WrittenCount).Fill((byte)' ');
        return bytes;
    }

    private static void WriteBody(Stream stream, byte[] header, List<TensorEntry> tensors)
    {
        stream.Write(header);
        foreach (var tensor in tensors) NpyDtypeInfo.WriteArray(stream, tensor.Data);
    }

    private static TensorFileException Truncated(string name, Header header, long found) =>
        new(name, $"truncated: expected {header.DataLength} bytes of tensor data after the header, found {found}");

    private static string SafeTensorsCode(NpyDtype dtype) => dtype switch
    {
        NpyDtype.Float32 => "F32",
        NpyDtype.Float64 => "F64",
        NpyDtype.Int64 => "I64",
        NpyDtype.Int32 => "I32",
        NpyDtype.UInt8 => "U8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no safetensors dtype"),
    };

    private static NpyDtype? FromSafeTensorsCode(string code) => code switch
    {
        "F32" => NpyDtype.Float32,
        "F64" => NpyDtype.Float64,
        "I64" => NpyDtype.Int64,
        "I32" => NpyDtype.Int32,
        "U8" => NpyDtype.UInt8,
        _ => null,
    };
}
