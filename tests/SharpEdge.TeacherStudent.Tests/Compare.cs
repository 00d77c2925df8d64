namespace SharpEdge.TeacherStudent.Tests;

/// <summary>Array comparisons with a norm-wise relative tolerance and a readable failure message.</summary>
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

    public static void Close(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, double tolerance, string what)
    {
        double relative = RelativeDifference(actual, expected);
        Assert.True(relative <= tolerance, $"{what}: relative difference {relative:G3} exceeds {tolerance:G3}");
    }
}
