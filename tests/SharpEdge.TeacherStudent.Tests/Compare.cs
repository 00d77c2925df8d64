namespace SharpEdge.TeacherStudent.Tests;

/// <summary>Array comparisons with a norm-wise relative tolerance and a readable failure message.</summary>
internal static class Compare
{
    /// <summary>max |actual − expected| / max |expected| (absolute when expected is all zero).</summary>
    public static double RelativeDifference(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        return SharpEdge.Numerics.VectorDifference.Relative(actual, expected);
    }

    public static void Close(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, double tolerance, string what)
    {
        double relative = RelativeDifference(actual, expected);
        Assert.True(relative <= tolerance, $"{what}: relative difference {relative:G3} exceeds {tolerance:G3}");
    }
}
