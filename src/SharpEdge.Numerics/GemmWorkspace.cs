using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SharpEdge.Numerics;

/// <summary>
/// Per-thread packing buffers, grown on demand and then reused by every later call on that thread, so the
/// hot path allocates nothing. The arrays live on the pinned object heap and are 64-byte aligned.
/// </summary>
internal sealed unsafe class GemmWorkspace<T> where T : unmanaged
{
    [ThreadStatic] private static GemmWorkspace<T>? perThread;

    private PinnedBuffer packedA, packedB, tile;

    public static GemmWorkspace<T> ForCurrentThread => perThread ??= new GemmWorkspace<T>();

    public T* PackedA(int elements) => packedA.Ensure(elements);

    public T* PackedB(int elements) => packedB.Ensure(elements);

    public T* Tile(int elements) => tile.Ensure(elements);

    private struct PinnedBuffer
    {
        private const int Alignment = 64;
        private T[]? array; // keeps the pinned memory alive
        private T* aligned;
        private int capacity;

        public T* Ensure(int elements)
        {
            if (elements <= capacity) return aligned;
            var fresh = GC.AllocateUninitializedArray<T>(elements + Alignment / sizeof(T), pinned: true);
            var start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(fresh));
            array = fresh;
            aligned = (T*)((start + Alignment - 1) & ~(nint)(Alignment - 1));
            capacity = elements;
            return aligned;
        }
    }
}
