namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>Median with the 16th and 84th percentiles: the notebook's <c>asym_err</c> (phase_ml_spec §5.9).</summary>
public readonly record struct MedianBand(double Median, double Lower, double Upper);

/// <summary>Ensemble statistics as NumPy computes them: plain mean (NaN propagates), type-7 percentiles.</summary>
public static class EnsembleStatistics
{
    public static double Mean(IEnumerable<double> values)
    {
        double sum = 0;
        int count = 0;
        foreach (var v in values)
        {
            sum += v;
            count++;
        }
        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>
    /// <c>numpy.percentile(values, p)</c> with linear interpolation (Hyndman–Fan type 7): h = (n−1)·p/100 on the
    /// sorted values. NaN anywhere gives NaN, as NumPy does.
    /// </summary>
    public static double Percentile(IReadOnlyList<double> values, double percent)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(percent >= 0 && percent <= 100)) throw new ArgumentOutOfRangeException(nameof(percent), percent, "percent must lie in [0, 100]");
        if (values.Count == 0 || values.Any(double.IsNaN)) return double.NaN;
        var sorted = values.Order().ToArray();
        double h = (sorted.Length - 1) * percent / 100.0;
        int below = (int)Math.Floor(h);
        if (below >= sorted.Length - 1) return sorted[^1];
        double fraction = h - below;
        return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
    }

    /// <summary><c>asym_err</c>: the median and the 16 %/84 % percentiles.</summary>
    public static MedianBand Band(IReadOnlyList<double> values) =>
        new(Percentile(values, 50), Percentile(values, 16), Percentile(values, 84));
}
