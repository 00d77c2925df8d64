namespace SharpEdge.Curvature;

/// <summary>Which end of the spectrum a solver looks for.</summary>
public enum Spectrum
{
    /// <summary>The largest eigenvalues by sign (λ_max of a Hessian, the paper's sharpness): the default.</summary>
    LargestAlgebraic,

    /// <summary>The smallest eigenvalues by sign (the most negative curvature).</summary>
    SmallestAlgebraic,

    /// <summary>The eigenvalues of largest |λ|, reported with their sign (what power iteration finds).</summary>
    LargestMagnitude,
}

internal static class SpectrumSelection
{
    /// <summary>Indices of the <paramref name="count"/> wanted values of an ascending array, in reporting order.</summary>
    public static int[] Select(this Spectrum which, ReadOnlySpan<double> ascending, int count)
    {
        var indices = new int[Math.Min(count, ascending.Length)];
        which.Select(ascending, indices);
        return indices;
    }

    /// <summary>Fills <paramref name="indices"/> with as many wanted indices as fit (or exist); returns how many.</summary>
    public static int Select(this Spectrum which, ReadOnlySpan<double> ascending, Span<int> indices)
    {
        int n = ascending.Length;
        int count = Math.Min(indices.Length, n);
        switch (which)
        {
            case Spectrum.LargestAlgebraic:
                for (int i = 0; i < count; i++) indices[i] = n - 1 - i;
                break;
            case Spectrum.SmallestAlgebraic:
                for (int i = 0; i < count; i++) indices[i] = i;
                break;
            case Spectrum.LargestMagnitude:
                // merge from both ends of the sorted array
                int low = 0, high = n - 1;
                for (int i = 0; i < count; i++)
                    indices[i] = Math.Abs(ascending[high]) >= Math.Abs(ascending[low]) ? high-- : low++;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(which), which, "unknown part of the spectrum");
        }
        return count;
    }
}
