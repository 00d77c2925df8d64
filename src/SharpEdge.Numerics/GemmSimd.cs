using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpEdge.Numerics;

/// <summary>
/// The few vector operations the dot-product kernels need, over one vector width. Implemented by structs so
/// generic code specialises per width with every call inlined.
/// </summary>
internal unsafe interface ISimd<T, TVector> where T : unmanaged where TVector : struct
{
    static abstract int Lanes { get; }
    static abstract TVector Zero { get; }
    static abstract TVector Load(T* source);
    static abstract TVector MultiplyAdd(TVector left, TVector right, TVector addend);
    static abstract T Sum(TVector vector);
}

/// <summary>512-bit AVX-512F vectors of float or double.</summary>
internal readonly unsafe struct Simd512<T> : ISimd<T, Vector512<T>> where T : unmanaged
{
    public static int Lanes => Vector512<T>.Count;
    public static Vector512<T> Zero => Vector512<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(T* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> left, Vector512<T> right, Vector512<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Avx512F.FusedMultiplyAdd(left.AsSingle(), right.AsSingle(), addend.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Avx512F.FusedMultiplyAdd(left.AsDouble(), right.AsDouble(), addend.AsDouble()).As<double, T>();
        throw new NotSupportedException();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector512<T> vector) => Vector512.Sum(vector);
}

/// <summary>256-bit AVX2/FMA vectors of float or double.</summary>
internal readonly unsafe struct Simd256<T> : ISimd<T, Vector256<T>> where T : unmanaged
{
    public static int Lanes => Vector256<T>.Count;
    public static Vector256<T> Zero => Vector256<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(T* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> left, Vector256<T> right, Vector256<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Fma.MultiplyAdd(left.AsSingle(), right.AsSingle(), addend.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Fma.MultiplyAdd(left.AsDouble(), right.AsDouble(), addend.AsDouble()).As<double, T>();
        throw new NotSupportedException();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector256<T> vector) => Vector256.Sum(vector);
}

/// <summary><see cref="Vector{T}"/> of the platform's natural width; multiply and add stay separate so no
/// software FMA emulation is ever needed.</summary>
internal readonly unsafe struct SimdPortable<T> : ISimd<T, Vector<T>> where T : unmanaged, INumber<T>
{
    public static int Lanes => Vector<T>.Count;
    public static Vector<T> Zero => Vector<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load(T* source) => Vector.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> MultiplyAdd(Vector<T> left, Vector<T> right, Vector<T> addend) => left * right + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector<T> vector) => Vector.Sum(vector);
}
