using System.Buffers.Binary;
using System.Text;

namespace SharpEdge.TeacherStudent;

/// <summary>
/// The bytes <c>numpy.save</c> writes for phase_ml's history (phase_ml_spec §3.4): a 0-d object array holding a
/// dict of float64 C-order arrays, pickled with protocol 3 the way NumPy pickles ndarrays —
/// <c>numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')</c> then <c>__setstate__((1, shape, dtype,
/// False, data))</c>, dtype = <c>numpy.dtype('f8', False, True)</c> with state <c>(3, '&lt;', None, None, None,
/// -1, -1, 0)</c>, and for the object array dtype 'O8' with state <c>(3, '|', …, 63)</c> and a list of
/// objects as data. Only the opcodes this needs are written (no memo).
/// </summary>
internal static class PhaseMlPickle
{
    private const byte Proto = 0x80, Global = (byte)'c', Reduce = (byte)'R', Build = (byte)'b', Mark = (byte)'(';
    private const byte Tuple = (byte)'t', Tuple1 = 0x85, Tuple2 = 0x86, Tuple3 = 0x87, EmptyTuple = (byte)')';
    private const byte BinInt1 = (byte)'K', BinInt2 = (byte)'M', BinInt = (byte)'J', NoneCode = (byte)'N';
    private const byte NewTrue = 0x88, NewFalse = 0x89, ShortBinBytes = (byte)'C', BinBytes = (byte)'B';
    private const byte BinUnicode = (byte)'X', EmptyList = (byte)']', EmptyDict = (byte)'}', SetItems = (byte)'u';
    private const byte Append = (byte)'a', Stop = (byte)'.';

    /// <summary>Writes the pickle of <c>numpy.array(dict)</c> (0-d, dtype object) for the named float64 arrays.</summary>
    public static void WriteObjectArrayOfDict(Stream output, IReadOnlyList<(string Name, double[] Data, int[] Shape)> arrays)
    {
        var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        writer.Write(Proto);
        writer.Write((byte)3);
        BeginNdarray(writer);
        writer.Write(Mark);
        WriteInt(writer, 1);
        writer.Write(EmptyTuple);
        WriteDtype(writer, "O8", "|", 63);
        writer.Write(NewFalse);
        writer.Write(EmptyList);
        writer.Write(EmptyDict);
        writer.Write(Mark);
        foreach (var (name, data, shape) in arrays)
        {
            WriteString(writer, name);
            WriteFloat64Array(writer, data, shape);
        }
        writer.Write(SetItems);
        writer.Write(Append);
        writer.Write(Tuple);
        writer.Write(Build);
        writer.Write(Stop);
        writer.Flush();
    }

    private static void WriteFloat64Array(BinaryWriter writer, double[] data, int[] shape)
    {
        BeginNdarray(writer);
        writer.Write(Mark);
        WriteInt(writer, 1);
        WriteShape(writer, shape);
        WriteDtype(writer, "f8", "<", 0);
        writer.Write(NewFalse);
        int byteCount = checked(data.Length * sizeof(double));
        if (byteCount < 256)
        {
            writer.Write(ShortBinBytes);
            writer.Write((byte)byteCount);
        }
        else
        {
            writer.Write(BinBytes);
            writer.Write(byteCount);
        }
        Span<byte> element = stackalloc byte[sizeof(double)];
        foreach (double value in data)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(element, value);
            writer.Write(element);
        }
        writer.Write(Tuple);
        writer.Write(Build);
    }

    // _reconstruct(ndarray, (0,), b'b'): an empty array that BUILD then fills.
    private static void BeginNdarray(BinaryWriter writer)
    {
        WriteGlobal(writer, "numpy.core.multiarray", "_reconstruct");
        WriteGlobal(writer, "numpy", "ndarray");
        WriteInt(writer, 0);
        writer.Write(Tuple1);
        writer.Write(ShortBinBytes);
        writer.Write((byte)1);
        writer.Write((byte)'b');
        writer.Write(Tuple3);
        writer.Write(Reduce);
    }

    private static void WriteDtype(BinaryWriter writer, string code, string byteOrder, int flags)
    {
        WriteGlobal(writer, "numpy", "dtype");
        WriteString(writer, code);
        writer.Write(NewFalse);
        writer.Write(NewTrue);
        writer.Write(Tuple3);
        writer.Write(Reduce);
        writer.Write(Mark);
        WriteInt(writer, 3);
        WriteString(writer, byteOrder);
        writer.Write(NoneCode);
        writer.Write(NoneCode);
        writer.Write(NoneCode);
        WriteInt(writer, -1);
        WriteInt(writer, -1);
        WriteInt(writer, flags);
        writer.Write(Tuple);
        writer.Write(Build);
    }

    private static void WriteShape(BinaryWriter writer, int[] shape)
    {
        if (shape.Length is >= 1 and <= 3)
        {
            foreach (int dimension in shape) WriteInt(writer, dimension);
            writer.Write(shape.Length switch { 1 => Tuple1, 2 => Tuple2, _ => Tuple3 });
            return;
        }
        writer.Write(Mark);
        foreach (int dimension in shape) WriteInt(writer, dimension);
        writer.Write(Tuple);
    }

    private static void WriteGlobal(BinaryWriter writer, string module, string name)
    {
        writer.Write(Global);
        writer.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        writer.Write(BinUnicode);
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static void WriteInt(BinaryWriter writer, int value)
    {
        if (value is >= 0 and < 256)
        {
            writer.Write(BinInt1);
            writer.Write((byte)value);
        }
        else if (value is >= 0 and < 65536)
        {
            writer.Write(BinInt2);
            writer.Write((ushort)value);
        }
        else
        {
            writer.Write(BinInt);
            writer.Write(value);
        }
    }
}
