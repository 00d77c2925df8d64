namespace SharpEdge.Curvature;

/// <summary>
/// Running mean and variance by Welford's update (Welford 1962): mean += δ/n, M₂ += δ·(x − mean), which
/// stays accurate when the mean is large compared with the spread, unlike Σx² − n·mean².
/// </summary>
public sealed class RunningMoments
{
    private double mean, m2;

    public int Count { get; private set; }
    public double Mean => Count > 0 ? mean : double.NaN;
    /// <summary>The unbiased sample variance (divisor n − 1); NaN below two samples.</summary>
    public double Variance => Count > 1 ? m2 / (Count - 1) : double.NaN;
    /// <summary>The standard error of the mean, √(s²/n).</summary>
    public double StandardError => Math.Sqrt(Variance / Count);

    public void Add(double x)
    {
        Count++;
        double delta = x - mean;
        mean += delta / Count;
        m2 += delta * (x - mean);
    }
}

/// <summary>
/// Running means, variances and covariance of paired samples (a, b) by the bivariate Welford update, and the
/// ratio of means ā/b̄ with its delta-method standard error
/// SE² = (s_a²/b̄² − 2ā s_ab/b̄³ + ā² s_b²/b̄⁴) / n
/// (first-order Taylor expansion of a/b at the means; spec §7.3 uses the same formula divided by n − 1).
/// </summary>
public sealed class RunningCovariance
{
    private double meanA, meanB, m2A, m2B, coMoment;

    public int Count { get; private set; }
    public double MeanA => Count > 0 ? meanA : double.NaN;
    public double MeanB => Count > 0 ? meanB : double.NaN;
    public double VarianceA => Count > 1 ? m2A / (Count - 1) : double.NaN;
    public double VarianceB => Count > 1 ? m2B / (Count - 1) : double.NaN;
    /// <summary>The unbiased sample covariance (divisor n − 1).</summary>
    public double Covariance => Count > 1 ? coMoment / (Count - 1) : double.NaN;
    public double Ratio => MeanA / MeanB;

    /// <summary>The delta-method standard error of <see cref="Ratio"/>.</summary>
    public double RatioStandardError => DeltaMethodStandardError(MeanA, MeanB, VarianceA, VarianceB, Covariance, Count);

    public void Add(double a, double b)
    {
        Count++;
        double deltaA = a - meanA, deltaB = b - meanB;
        meanA += deltaA / Count;
        meanB += deltaB / Count;
        m2A += deltaA * (a - meanA);
        m2B += deltaB * (b - meanB);
        coMoment += deltaA * (b - meanB);
    }

    /// <summary>√((s_a²/b̄² − 2ā s_ab/b̄³ + ā² s_b²/b̄⁴)/n), clamped at 0 against rounding.</summary>
    public static double DeltaMethodStandardError(double meanA, double meanB, double varianceA, double varianceB, double covariance, int count)
    {
        double b2 = meanB * meanB;
        double variance = (varianceA / b2 - 2 * meanA * covariance / (b2 * meanB) + meanA * meanA * varianceB / (b2 * b2)) / count;
        return Math.Sqrt(Math.Max(variance, 0));
    }
}
