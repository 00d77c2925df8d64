namespace SharpEdge.Data.Subsets;

/// <summary>
/// The first <c>count</c> positions of a pool, the original's CINIC-10 rule (eoss_spec §4.2, §15.1 item 9).
/// Because the pool is in ImageFolder order (sorted by class), a prefix of up to 9,000 images holds one
/// class only; <see cref="SharpEdge.Data.DataRequest.CinicRandomSubset"/> selects the fixed random rule instead.
/// </summary>
public static class PrefixSubset
{
    public static int[] Select(int population, int count)
    {
        if (count > population) throw new ArgumentException($"cannot take the first {count} of {population} samples");
        return Enumerable.Range(0, count).ToArray();
    }
}
