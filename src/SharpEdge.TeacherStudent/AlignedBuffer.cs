using System.Runtime.CompilerServices;

namespace SharpEdge.TeacherStudent;

/// <summary>
/// A double array pinned for its lifetime (pinned object heap) whose usable part starts on a 64-byte boundary,
/// so kernels can hold a raw pointer to it and full-width vector rows never straddle cache lines.
/// Freed by the GC like any array.
/// </summary>
internal sealed unsafe class AlignedBuffer
{
    private const int AlignmentBytes = 64;
    private readonly double[] storage;
    private readonly int offset;

    public AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        storage = GC.AllocateArray<double>(length + AlignmentBytes / sizeof(double), pinned: true);
        nuint address = (nuint)Unsafe.AsPointer(ref storage[0]);
        offset = (int)((AlignmentBytes - address % AlignmentBytes) % AlignmentBytes / sizeof(double));
        Pointer = (double*)Unsafe.AsPointer(ref storage[offset]);
        Length = length;
    }

    public int Length { get; }

    /// <summary>Stays valid while this object is alive (the array never moves).</summary>
    public double* Pointer { get; }

    public Span<double> Span => storage.AsSpan(offset, Length);
}
