using System.Buffers.Binary;
using System.Collections;
using System.Text;

namespace SharpEdge.Data.Formats;

/// <summary>
/// A numpy array as a pickle rebuilds it: shape, element type (numpy's <c>descr</c>, e.g. "|u1", "&lt;i8") and
/// the raw bytes. Built by the constructors <see cref="NumpyPickle"/> registers with Razorvine.Pickle; the
/// <c>__setstate__</c> below receives ndarray.__reduce__'s state <c>(version, shape, dtype, is_fortran, data)</c>.
/// </summary>
public sealed class NumpyArray
{
    public int[] Shape { get; private set; } = [0];
    public NumpyDtype Dtype { get; private set; } = new("u1");
    public bool FortranOrder { get; private set; }
    public byte[] Data { get; private set; } = [];

    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    internal static NumpyArray FromBuffer(byte[] data, NumpyDtype dtype, int[] shape, bool fortran)
    {
        var array = new NumpyArray { Data = data, Dtype = dtype, Shape = shape, FortranOrder = fortran };
        array.CheckLength();
        return array;
    }

    // Razorvine calls this by name for the BUILD opcode, with the state tuple as object[]
    public void __setstate__(object[] state)
    {
        // numpy ≥ 1.0 writes five fields; the oldest pickles omit the version
        int offset = state.Length == 5 ? 1 : state.Length == 4 ? 0 : throw new InvalidDataException($"numpy array state has {state.Length} fields, expected 4 or 5");
        Shape = ToShape(state[offset]);
        Dtype = state[offset + 1] as NumpyDtype ?? throw new InvalidDataException($"numpy array state holds {state[offset + 1]?.GetType().Name ?? "None"} where a dtype belongs");
        FortranOrder = state[offset + 2] is true;
        Data = state[offset + 3] switch
        {
            byte[] bytes => bytes,
            // Python 2 pickles carry the bytes as a str; Razorvine maps each byte to one char
            string text => Encoding.Latin1.GetBytes(text),
            ArrayList => throw new InvalidDataException("numpy arrays of Python objects are not supported"),
            var other => throw new InvalidDataException($"numpy array data of type {other?.GetType().Name ?? "None"} is not supported"),
        };
        CheckLength();
    }

    private void CheckLength()
    {
        if (Data.LongLength != Count * Dtype.ItemSize)
            throw new InvalidDataException($"numpy array [{string.Join(", ", Shape)}] of {Dtype} needs {Count * Dtype.ItemSize} bytes, the pickle holds {Data.LongLength}");
    }

    internal static int[] ToShape(object? value) => value switch
    {
        object[] items => items.Select(i => checked((int)Convert.ToInt64(i))).ToArray(),
        int or long => [checked((int)Convert.ToInt64(value))],
        _ => throw new InvalidDataException($"numpy shape of type {value?.GetType().Name ?? "None"} is not a tuple"),
    };

    /// <summary>The elements as bytes; the array must hold uint8 in C order (or be one-dimensional).</summary>
    public byte[] ToBytes()
    {
        if (Dtype.Kind != 'u' || Dtype.ItemSize != 1) throw new InvalidDataException($"expected a uint8 array, found {Dtype}");
        if (FortranOrder && Shape.Count(d => d > 1) > 1) throw new InvalidDataException("Fortran-ordered arrays are not supported");
        return Data;
    }

    /// <summary>Integer elements (any signed or unsigned width, or whole-valued floats) as int.</summary>
    public int[] ToInt32()
    {
        var result = new int[Count];
        int size = Dtype.ItemSize;
        bool little = Dtype.LittleEndian;
        for (int i = 0; i < result.Length; i++)
        {
            var bytes = Data.AsSpan(i * size, size);
            long value = (Dtype.Kind, size) switch
            {
                ('u' or 'b', 1) => bytes[0],
                ('i', 1) => (sbyte)bytes[0],
                ('i', 2) => little ? BinaryPrimitives.ReadInt16LittleEndian(bytes) : BinaryPrimitives.ReadInt16BigEndian(bytes),
                ('u', 2) => little ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt16BigEndian(bytes),
                ('i', 4) => little ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : BinaryPrimitives.ReadInt32BigEndian(bytes),
                ('u', 4) => little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes),
                ('i', 8) => little ? BinaryPrimitives.ReadInt64LittleEndian(bytes) : BinaryPrimitives.ReadInt64BigEndian(bytes),
                ('u', 8) => (long)(little ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : BinaryPrimitives.ReadUInt64BigEndian(bytes)),
                ('f', 4) => WholeValue(little ? BinaryPrimitives.ReadSingleLittleEndian(bytes) : BinaryPrimitives.ReadSingleBigEndian(bytes)),
                ('f', 8) => WholeValue(little ? BinaryPrimitives.ReadDoubleLittleEndian(bytes) : BinaryPrimitives.ReadDoubleBigEndian(bytes)),
                _ => throw new InvalidDataException($"numpy element type {Dtype} is not an integer type"),
            };
            result[i] = checked((int)value);
        }
        return result;
    }

    private static long WholeValue(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < int.MaxValue ? (long)value : throw new InvalidDataException($"label {value} is not a whole number");
}

/// <summary>A numpy dtype: kind ('u', 'i', 'f', 'b'), item size and byte order, rebuilt from <c>numpy.dtype(descr, align, copy)</c>.</summary>
public sealed class NumpyDtype
{
    public NumpyDtype(string descr)
    {
        // "u1", "<i8", "f4": an optional byte-order mark, a kind letter, a size in bytes
        var text = descr.TrimStart('<', '>', '|', '=');
        if (text.Length < 2 || !int.TryParse(text.AsSpan(1), out var size) || size is not (1 or 2 or 4 or 8))
            throw new InvalidDataException($"numpy dtype '{descr}' is not supported (only plain numbers)");
        Kind = text[0];
        ItemSize = size;
        LittleEndian = !descr.StartsWith('>');
    }

    public char Kind { get; }
    public int ItemSize { get; }
    public bool LittleEndian { get; private set; }

    // numpy.dtype's state: (version, byte order, subarray, names, fields, elsize, alignment, flags)
    public void __setstate__(object[] state)
    {
        if (state.Length > 1 && state[1] is string order) LittleEndian = order != ">";
    }

    public override string ToString() => $"{(ItemSize == 1 ? '|' : LittleEndian ? '<' : '>')}{Kind}{ItemSize}";
}
