using System.Runtime.InteropServices;

namespace SharpEdge.Numerics.Io;

/// <summary>Plumbing shared by the .npy, .npz and .safetensors readers and writers.</summary>
internal static class TensorIo
{
    // Span<byte> lengths are ints, so bulk transfers of multi-GB arrays go in chunks of this size.
    private const int MaxChunkBytes = 1 << 30;

    public static void EnsureLittleEndianHost()
    {
        // All three formats store little-endian data, which we copy straight into memory.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("tensor file I/O requires a little-endian machine");
    }

    public static FileStream OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TensorFileException(path, "file not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TensorFileException(path, $"cannot open for reading: {OneLine(e.Message)}", e);
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    public static int ReadUpTo(Stream stream, Span<byte> buffer) =>
        buffer.IsEmpty ? 0 : stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

    /// <summary>Fills <paramref name="destination"/> with raw little-endian elements; returns the bytes read (short on end of stream).</summary>
    public static long ReadElements<T>(Stream stream, Span<T> destination) where T : unmanaged
    {
        int chunkElements = MaxChunkBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        long total = 0;
        while (!destination.IsEmpty)
        {
            var chunk = destination[..Math.Min(chunkElements, destination.Length)];
            var bytes = MemoryMarshal.AsBytes(chunk);
            int got = ReadUpTo(stream, bytes);
            total += got;
            if (got < bytes.Length) break;
            destination = destination[chunk.Length..];
        }
        return total;
    }

    public static void WriteElements<T>(Stream stream, ReadOnlySpan<T> source) where T : unmanaged
    {
        int chunkElements = MaxChunkBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        while (!source.IsEmpty)
        {
            var chunk = source[..Math.Min(chunkElements, source.Length)];
            stream.Write(MemoryMarshal.AsBytes(chunk));
            source = source[chunk.Length..];
        }
    }

    /// <summary>Remaining bytes of a seekable stream, or null when the stream cannot tell.</summary>
    public static long? Remaining(Stream stream)
    {
        try
        {
            return stream.CanSeek ? stream.Length - stream.Position : null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Element count of <paramref name="shape"/>, or null when a dimension is negative or it exceeds <see cref="Array.MaxLength"/>.</summary>
    public static long? ElementCount(ReadOnlySpan<long> shape, out string? problem)
    {
        problem = null;
        foreach (long dim in shape)
        {
            if (dim < 0)
            {
                problem = $"negative dimension {dim}";
                return null;
            }
            if (dim > int.MaxValue)
            {
                problem = $"dimension {dim} is larger than {int.MaxValue}";
                return null;
            }
        }
        long count = 1;
        foreach (long dim in shape) if (dim == 0) return 0;
        foreach (long dim in shape)
        {
            // Every remaining dim is >= 1, so once past the limit the product can only grow.
            if ((count *= dim) > Array.MaxLength)
            {
                problem = $"more than {Array.MaxLength} elements, the most a .NET array can hold";
                return null;
            }
        }
        return count;
    }

    /// <summary>Element count of a caller-supplied shape; throws <see cref="ArgumentException"/> naming <paramref name="context"/>.</summary>
    public static long ElementCountOrThrow(int[] shape, string context, string paramName)
    {
        ArgumentNullException.ThrowIfNull(shape, paramName);
        Span<long> dims = shape.Length <= 32 ? stackalloc long[shape.Length] : new long[shape.Length];
        for (int i = 0; i < shape.Length; i++) dims[i] = shape[i];
        return ElementCount(dims, out string? problem)
            ?? throw new ArgumentException($"{context}: shape {FormatShape(shape)} is invalid: {problem}", paramName);
    }

    /// <summary>"[512,784]"; "[]" for a scalar.</summary>
    public static string FormatShape(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

/// <summary>
/// Writes a file atomically: everything goes to a hidden temporary file in the destination's
/// directory (same file system, so the final rename is atomic), which replaces the destination
/// only on <see cref="Commit"/>. Disposing without committing deletes the temporary file and
/// leaves any existing destination untouched.
/// </summary>
internal sealed class AtomicFileWriter : IDisposable
{
    private readonly string destination;
    private readonly string temporary;
    private bool committed;

    public AtomicFileWriter(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        destination = path;
        string full = Path.GetFullPath(path);
        temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new TensorFileException(path, "cannot write: directory does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TensorFileException(path, $"cannot write: {TensorIo.OneLine(e.Message)}", e);
        }
    }

    public FileStream Stream { get; }

    public void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        File.Move(temporary, destination, overwrite: true);
        committed = true;
    }

    public void Dispose()
    {
        if (committed) return;
        Stream.Dispose();
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original exception matters more than a leftover temp file.
        }
    }
}
