namespace SharpEdge.Numerics;

/// <summary>How far one vector is from another, norm-wise: the comparisons of engine against reference in checks and benchmarks.</summary>
public static class VectorDifference
{
    /// <summary>max |actual − expected| / max |expected| (absolute when expected is all zero).</summary>
    public static double Relative(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        if (actual.Length != expected.Length)
            throw new ArgumentException($"vectors of {actual.Length} and {expected.Length} values cannot be compared", nameof(actual));
        double difference = 0.0, scale = 0.0;
        for (int i = 0; i < expected.Length; i++)
        {
            difference = Math.Max(difference, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        return scale == 0.0 ? difference : difference / scale;
    }
}
