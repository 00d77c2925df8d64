namespace SharpEdge.Plots;

/// <summary>
/// pandas' <c>Series.rolling(window, center, min_periods).mean()</c>, which the EoSS plots smooth step sharpness
/// and batch λ_max with (eoss_spec §12). NaN (and ±∞) values are skipped; a window with fewer than <c>minPeriods</c> finite values
/// gives NaN. A centred window of even length reaches one further back than forward, as in pandas.
/// </summary>
public static class RollingMean
{
    public static double[] Of(IReadOnlyList<double> values, int window, bool centered = false, int minPeriods = 1)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "rolling window must be at least 1");
        if (minPeriods < 1 || minPeriods > window)
            throw new ArgumentOutOfRangeException(nameof(minPeriods), minPeriods, $"min_periods must be between 1 and the window ({window})");
        int n = values.Count;
        // Window of position i is [i + offset - window + 1, i + offset] (pandas FixedWindowIndexer).
        int offset = centered ? (window - 1) / 2 : 0;
        var prefixSum = new double[n + 1];
        var prefixCount = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            bool finite = double.IsFinite(values[i]);
            prefixSum[i + 1] = prefixSum[i] + (finite ? values[i] : 0);
            prefixCount[i + 1] = prefixCount[i] + (finite ? 1 : 0);
        }
        var mean = new double[n];
        for (int i = 0; i < n; i++)
        {
            int end = Math.Min(n, i + offset + 1);
            int start = Math.Max(0, i + offset + 1 - window);
            int count = end > start ? prefixCount[end] - prefixCount[start] : 0;
            mean[i] = count >= minPeriods ? (prefixSum[end] - prefixSum[start]) / count : double.NaN;
        }
        return mean;
    }
}
