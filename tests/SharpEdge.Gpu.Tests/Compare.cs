namespace SharpEdge.Gpu.Tests;

internal static class Compare
{
    /// <summary>max |actual − expected| / max |expected| (absolute when expected is all zero).</summary>
    public static double RelativeDifference(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double difference = 0.0, scale = 0.0;
        for (int i = 0; i < expected.Length; i++)
        {
            difference = Math.Max(difference, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        return scale == 0.0 ? difference : difference / scale;
    }
}
