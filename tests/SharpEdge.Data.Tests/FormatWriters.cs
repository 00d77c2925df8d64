using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SharpEdge.Data.Tests;

/// <summary>Small files in the real formats, written from their specifications.</summary>
public static class FormatWriters
{
    /// <summary>Deterministic pseudo-random pixels.</summary>
    public static byte[] Pixels(int count, int seed)
    {
        var rng = new Random(seed);
        var bytes = new byte[count];
        rng.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A CIFAR-10 python batch as Python 2's cPickle wrote it (str keys and data).</summary>
    public static byte[] CifarPickle(byte[] pixels, int[] labels, bool python2 = true, bool bytesKeys = false)
    {
        var w = new PickleWriter(python2);
        void Key(PickleWriter p, string k) { if (bytesKeys) p.BytesKey(k); else p.Str(k); }
        w.Dict(
            p => { Key(p, "batch_label"); p.Str("training batch 1 of 5"); },
            p => { Key(p, "labels"); p.IntList(labels); },
            p => { Key(p, "data"); p.UInt8Array(pixels, labels.Length, 3072); },
            p => { Key(p, "filenames"); p.IntList([]); });
        return w.Finish();
    }

    public static byte[] CifarBinary(byte[] pixels, int[] labels)
    {
        var bytes = new byte[labels.Length * 3073];
        for (int i = 0; i < labels.Length; i++)
        {
            bytes[i * 3073] = (byte)labels[i];
            pixels.AsSpan(i * 3072, 3072).CopyTo(bytes.AsSpan(i * 3073 + 1));
        }
        return bytes;
    }

    /// <summary>
    /// A Level 5 MAT-file holding uint8 <c>X</c> [dims] (zlib-compressed element when <paramref name="compress"/>)
    /// and double <c>y</c> [n, 1], stored as MATLAB stores small integers: miUINT8 when <paramref name="compactLabels"/>.
    /// </summary>
    public static byte[] Mat(byte[] x, int[] dims, double[] y, bool compress, bool compactLabels, bool bigEndian = false)
    {
        var file = new MemoryStream();
        var text = Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: test".PadRight(116));
        file.Write(text);
        file.Write(new byte[8]);
        var e = new MatEndian(bigEndian);
        file.Write(e.U16(0x0100));
        file.Write(bigEndian ? "MI"u8 : "IM"u8);
        var xElement = Matrix(e, "X", 9, dims, 2, x);
        if (compress)
        {
            var deflated = new MemoryStream();
            using (var z = new ZLibStream(deflated, CompressionLevel.Fastest, leaveOpen: true)) z.Write(xElement);
            file.Write(e.U32(15));
            file.Write(e.U32((uint)deflated.Length));
            file.Write(deflated.ToArray());
        }
        else file.Write(xElement);
        byte[] yData = compactLabels ? y.Select(v => (byte)v).ToArray() : y.SelectMany(v => e.F64(v)).ToArray();
        file.Write(Matrix(e, "y", 6, [y.Length, 1], compactLabels ? 2 : 9, yData));
        return file.ToArray();
    }

    private static byte[] Matrix(MatEndian e, string name, int @class, int[] dims, int dataType, byte[] data)
    {
        var body = new MemoryStream();
        body.Write(e.U32(6)); body.Write(e.U32(8)); body.Write(e.U32((uint)@class)); body.Write(e.U32(0));
        body.Write(e.U32(5)); body.Write(e.U32((uint)(4 * dims.Length)));
        foreach (var d in dims) body.Write(e.U32((uint)d));
        Pad(body);
        // a name of at most 4 bytes uses the small data element format
        body.Write(e.U32((uint)(name.Length << 16 | 1)));
        body.Write(Encoding.ASCII.GetBytes(name.PadRight(4, '\0')));
        body.Write(e.U32((uint)dataType)); body.Write(e.U32((uint)data.Length));
        body.Write(data);
        Pad(body);
        var element = new MemoryStream();
        element.Write(e.U32(14)); element.Write(e.U32((uint)body.Length));
        element.Write(body.ToArray());
        return element.ToArray();
    }

    private static void Pad(MemoryStream s) { while (s.Length % 8 != 0) s.WriteByte(0); }

    private sealed class MatEndian(bool big)
    {
        public byte[] U16(ushort v) { var b = new byte[2]; if (big) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v); return b; }
        public byte[] U32(uint v) { var b = new byte[4]; if (big) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v); return b; }
        public byte[] F64(double v) { var b = new byte[8]; if (big) BinaryPrimitives.WriteDoubleBigEndian(b, v); else BinaryPrimitives.WriteDoubleLittleEndian(b, v); return b; }
    }

    /// <summary>A PNG (8-bit RGB, or grey when <paramref name="channels"/> is 1), rows unfiltered.</summary>
    public static byte[] Png(byte[] pixels, int width, int height, int channels)
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;
        header[9] = (byte)(channels == 3 ? 2 : 0);
        Chunk(png, "IHDR", header);
        var raw = new MemoryStream();
        for (int r = 0; r < height; r++)
        {
            raw.WriteByte(0);
            raw.Write(pixels, r * width * channels, width * channels);
        }
        var deflated = new MemoryStream();
        using (var z = new ZLibStream(deflated, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw.ToArray());
        Chunk(png, "IDAT", deflated.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)data.Length);
        png.Write(b);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(b, Crc32(typed));
        png.Write(b);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var d in data)
        {
            crc ^= d;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A .tar.gz of the files under <paramref name="folder"/>, paths relative to it.</summary>
    public static void TarGz(string folder, string archive)
    {
        using var file = File.Create(archive);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        System.Formats.Tar.TarFile.CreateFromDirectory(folder, gzip, includeBaseDirectory: false);
    }
}
