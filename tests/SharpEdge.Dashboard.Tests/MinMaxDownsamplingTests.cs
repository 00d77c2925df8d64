namespace SharpEdge.Dashboard.Tests;

public sealed class MinMaxDownsamplingTests
{
    [Fact]
    public void Short_series_are_kept_whole()
    {
        Assert.Equal([0, 1, 2], MinMaxDownsampling.Select([3.0, 1.0, 2.0], 10));
    }

    [Fact]
    public void Every_bucket_keeps_its_minimum_and_maximum_in_order()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 10_007).Select(_ => random.NextDouble()).ToArray();
        const int maxPoints = 100;
        var kept = MinMaxDownsampling.Select(values, maxPoints);
        Assert.InRange(kept.Length, 1, maxPoints);
        Assert.True(kept.Zip(kept.Skip(1)).All(p => p.First < p.Second));
        int buckets = maxPoints / 2;
        for (int b = 0; b < buckets; b++)
        {
            int start = (int)((long)b * values.Length / buckets), end = (int)((long)(b + 1) * values.Length / buckets);
            var bucket = values[start..end];
            var inBucket = kept.Where(i => i >= start && i < end).Select(i => values[i]).ToList();
            Assert.Contains(bucket.Min(), inBucket);
            Assert.Contains(bucket.Max(), inBucket);
        }
    }

    [Fact]
    public void NaN_is_kept_only_for_a_bucket_without_numbers()
    {
        var values = Enumerable.Range(0, 100).Select(i => i < 50 ? i : double.NaN).ToArray();
        var kept = MinMaxDownsampling.Select(values, 10);
        // five buckets of 20: three with numbers keep their extremes, the two all-NaN ones keep their first point
        Assert.Equal([0, 19, 20, 39, 40, 49, 60, 80], kept);
    }
}
