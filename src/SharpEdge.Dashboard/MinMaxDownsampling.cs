namespace SharpEdge.Dashboard;

/// <summary>
/// Thins a series to at most <c>maxPoints</c> points for drawing: the points are cut into <c>maxPoints / 2</c>
/// buckets of consecutive points, and each bucket keeps its smallest and its largest value, in step order. So
/// every spike and dip survives (the extremes of the whole series in particular), unlike keeping every k-th point
/// or averaging buckets, which flatten exactly the sharpness spikes an EoSS plot is about.
/// </summary>
public static class MinMaxDownsampling
{
    /// <summary>The indices to keep, ascending. Non-finite values (NaN: diverged) are kept only when a bucket has
    /// nothing else, so a run that ends in NaN still shows where its data stop.</summary>
    public static int[] Select(ReadOnlySpan<double> values, int maxPoints)
    {
        if (maxPoints < 2) throw new ArgumentOutOfRangeException(nameof(maxPoints), maxPoints, "keep at least 2 points");
        int n = values.Length;
        if (n <= maxPoints)
        {
            var all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int buckets = maxPoints / 2;
        var kept = new List<int>(2 * buckets);
        for (int b = 0; b < buckets; b++)
        {
            int start = (int)((long)b * n / buckets), end = (int)((long)(b + 1) * n / buckets);
            int lo = -1, hi = -1;
            for (int i = start; i < end; i++)
            {
                double v = values[i];
                if (!double.IsFinite(v)) continue;
                if (lo < 0 || v < values[lo]) lo = i;
                if (hi < 0 || v > values[hi]) hi = i;
            }
            if (lo < 0) kept.Add(start);
            else if (lo == hi) kept.Add(lo);
            else
            {
                kept.Add(Math.Min(lo, hi));
                kept.Add(Math.Max(lo, hi));
            }
        }
        return [.. kept];
    }
}
