using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// xᵀy of parameter-sized vectors accumulated in float64. A float32 sum of a million products loses about
/// three digits (and ‖g‖² is the denominator of several measurements), so float32 inputs are widened to
/// double, eight at a time, before multiplying; float64 inputs go to <see cref="TensorPrimitives.Dot{T}"/>.
/// </summary>
public static class Float64Dot
{
    public static double Of<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length != y.Length) throw new ArgumentException($"vectors of lengths {x.Length} and {y.Length}");
        if (typeof(T) == typeof(double)) return TensorPrimitives.Dot(MemoryMarshal.Cast<T, double>(x), MemoryMarshal.Cast<T, double>(y));
        if (typeof(T) == typeof(float)) return Single(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y));
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += double.CreateTruncating(x[i]) * double.CreateTruncating(y[i]);
        return sum;
    }

    private static double Single(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
        {
            var low = Vector256<double>.Zero;
            var high = Vector256<double>.Zero;
            ref float xs = ref MemoryMarshal.GetReference(x);
            ref float ys = ref MemoryMarshal.GetReference(y);
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var (xl, xh) = Vector256.Widen(Vector256.LoadUnsafe(ref xs, (nuint)i));
                var (yl, yh) = Vector256.Widen(Vector256.LoadUnsafe(ref ys, (nuint)i));
                low += xl * yl;
                high += xh * yh;
            }
            sum = Vector256.Sum(low + high);
        }
        for (; i < x.Length; i++) sum += (double)x[i] * y[i];
        return sum;
    }
}
