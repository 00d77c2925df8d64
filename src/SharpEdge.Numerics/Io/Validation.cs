using System.Numerics;

namespace SharpEdge.Numerics.Io;

/// <summary>Checks callers apply to loaded tensors; the readers themselves accept any bit pattern.</summary>
public static class Validation
{
    /// <summary>Index of the first NaN or ±infinity, or -1 when every value is finite.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<double> values) => IndexOfNonFiniteCore(values);

    /// <inheritdoc cref="IndexOfNonFinite(ReadOnlySpan{double})"/>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values) => IndexOfNonFiniteCore(values);

    /// <summary>Describes the first non-finite value, e.g. "NaN at index 12", or null when every value is finite.</summary>
    public static string? FirstNonFinite(ReadOnlySpan<double> values)
    {
        int index = IndexOfNonFinite(values);
        return index < 0 ? null : $"{Describe(values[index])} at index {index}";
    }

    /// <inheritdoc cref="FirstNonFinite(ReadOnlySpan{double})"/>
    public static string? FirstNonFinite(ReadOnlySpan<float> values)
    {
        int index = IndexOfNonFinite(values);
        return index < 0 ? null : $"{Describe(values[index])} at index {index}";
    }

    private static string Describe(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";

    private static int IndexOfNonFiniteCore<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            // x - x is 0 for finite x and NaN for NaN or ±Inf, so one compare screens a whole vector.
            for (; i <= values.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = new Vector<T>(values[i..]);
                if (!Vector.EqualsAll(v - v, Vector<T>.Zero)) break;
            }
        }
        for (; i < values.Length; i++)
            if (!T.IsFinite(values[i])) return i;
        return -1;
    }
}
