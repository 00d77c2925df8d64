using System.Buffers.Binary;
using System.Text;

namespace SharpEdge.Data.Tests;

/// <summary>
/// Writes pickles opcode by opcode, the way CPython does, so the readers are tested on the real format without
/// Python: <see cref="Python2"/> mimics cPickle protocol 2 (str as BINSTRING, CIFAR-10's batches), the
/// other mode protocol 3 (bytes as BINBYTES, str as BINUNICODE). numpy arrays are written as numpy's
/// <c>ndarray.__reduce__</c> does: <c>_reconstruct(ndarray, (0,), b'b')</c> then BUILD with
/// <c>(1, shape, dtype, False, data)</c>.
/// </summary>
public sealed class PickleWriter
{
    private readonly MemoryStream _out = new();

    public PickleWriter(bool python2) { Python2 = python2; _out.Write([0x80, (byte)(python2 ? 2 : 3)]); }

    public bool Python2 { get; }

    public byte[] Finish() { _out.WriteByte((byte)'.'); return _out.ToArray(); }

    private void Op(char code) => _out.WriteByte((byte)code);

    private void Int32(int value) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, value); _out.Write(b); }

    public PickleWriter Int(int value) { Op('J'); Int32(value); return this; }

    /// <summary>A Python 2 str (bytes) or a Python 3 str (text).</summary>
    public PickleWriter Str(string text)
    {
        var bytes = Python2 ? Encoding.Latin1.GetBytes(text) : Encoding.UTF8.GetBytes(text);
        Op(Python2 ? 'T' : 'X');
        Int32(bytes.Length);
        _out.Write(bytes);
        return this;
    }

    /// <summary>Raw bytes: a str in Python 2, bytes in Python 3.</summary>
    public PickleWriter Bytes(byte[] data)
    {
        Op(Python2 ? 'T' : 'B');
        Int32(data.Length);
        _out.Write(data);
        return this;
    }

    public PickleWriter Global(string module, string name) { Op('c'); _out.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n")); return this; }

    public PickleWriter Mark() { Op('('); return this; }
    public PickleWriter Tuple() { Op('t'); return this; }
    public PickleWriter Reduce() { Op('R'); return this; }
    public PickleWriter Build() { Op('b'); return this; }
    public PickleWriter None() { Op('N'); return this; }
    public PickleWriter False() { _out.WriteByte(0x89); return this; }

    public PickleWriter IntList(IEnumerable<int> values)
    {
        Op(']');
        Mark();
        foreach (var v in values) Int(v);
        Op('e');
        return this;
    }

    public PickleWriter UInt8Array(byte[] data, params int[] shape)
    {
        Global("numpy.core.multiarray", "_reconstruct");
        Mark().Global("numpy", "ndarray").Mark().Int(0).Tuple().Bytes("b"u8.ToArray()).Tuple().Reduce();
        Mark().Int(1).Mark();
        foreach (var d in shape) Int(d);
        Tuple();
        Global("numpy", "dtype").Mark().Str("u1").False().Int(1).Tuple().Reduce();
        Mark().Int(3).Str("|").None().None().None().Int(-1).Int(-1).Int(0).Tuple().Build();
        False().Bytes(data).Tuple().Build();
        return this;
    }

    /// <summary>A dict: each action writes one key then its value.</summary>
    public PickleWriter Dict(params Action<PickleWriter>[] entries)
    {
        Op('}');
        Mark();
        foreach (var entry in entries) entry(this);
        Op('u');
        return this;
    }

    /// <summary>A dict key as bytes (a Python 3 pickle of a dict whose keys are bytes).</summary>
    public PickleWriter BytesKey(string key)
    {
        Op('B');
        Int32(key.Length);
        _out.Write(Encoding.ASCII.GetBytes(key));
        return this;
    }
}
