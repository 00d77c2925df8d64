using System.Diagnostics;

namespace SharpEdge.Curvature;

/// <summary>
/// Sequential Monte-Carlo estimation: draws independent samples until the <see cref="StoppingRule"/> is met
/// and reports the estimate with its standard error. Three estimators:
/// <list type="bullet">
/// <item><see cref="Mean"/>: x̄ with SE √(s²/n) (<see cref="RunningMoments"/>);</item>
/// <item><see cref="RatioOfMeans"/>: ā/b̄ from paired draws, with the delta-method SE
/// (<see cref="RunningCovariance"/>), e.g. E[gᵀHg]/E[gᵀg];</item>
/// <item><see cref="MeanOfRatios"/>: the mean of aᵢ/bᵢ, e.g. batch sharpness E[gᵀHg/gᵀg] (spec §7.3), which
/// stops on its own SE rather than on that of the ratio of means as the reference code does.</item>
/// </list>
/// The draw function receives the sample index; each draw is charged <c>productsPerSample</c> products.
/// </summary>
public static class MonteCarlo
{
    public static Estimate Mean(Func<int, double> draw, StoppingRule rule, int productsPerSample = 0)
    {
        Check(draw, rule, productsPerSample);
        var clock = Stopwatch.StartNew();
        var moments = new RunningMoments();
        for (int i = 0; ; i++)
        {
            double x = draw(i);
            if (!double.IsFinite(x)) throw new InvalidOperationException($"Monte-Carlo sample {i} is {x}");
            moments.Add(x);
            if (moments.Count >= 2 && rule.Done(moments.Count, moments.Mean, moments.StandardError)) break;
        }
        return new Estimate(moments.Mean, moments.StandardError, moments.Count, moments.Count * productsPerSample, clock.Elapsed.TotalSeconds);
    }

    public static Estimate RatioOfMeans(Func<int, (double Numerator, double Denominator)> draw, StoppingRule rule, int productsPerSample = 0)
    {
        Check(draw, rule, productsPerSample);
        var clock = Stopwatch.StartNew();
        var pairs = new RunningCovariance();
        for (int i = 0; ; i++)
        {
            var (a, b) = draw(i);
            if (!double.IsFinite(a) || !double.IsFinite(b)) throw new InvalidOperationException($"Monte-Carlo sample {i} is ({a}, {b})");
            pairs.Add(a, b);
            if (pairs.Count >= 2 && rule.Done(pairs.Count, pairs.Ratio, pairs.RatioStandardError)) break;
        }
        return new Estimate(pairs.Ratio, pairs.RatioStandardError, pairs.Count, pairs.Count * productsPerSample, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The mean of aᵢ/bᵢ. A draw whose ratio is not finite (bᵢ = 0) is skipped but still charged; at most
    /// <see cref="StoppingRule.MaxSamples"/> draws are made in all.
    /// </summary>
    public static Estimate MeanOfRatios(Func<int, (double Numerator, double Denominator)> draw, StoppingRule rule, int productsPerSample = 0)
    {
        Check(draw, rule, productsPerSample);
        var clock = Stopwatch.StartNew();
        var moments = new RunningMoments();
        int draws = 0;
        while (draws < rule.MaxSamples)
        {
            var (a, b) = draw(draws++);
            double ratio = a / b;
            if (!double.IsFinite(ratio)) continue;
            moments.Add(ratio);
            if (moments.Count >= 2 && rule.Done(moments.Count, moments.Mean, moments.StandardError)) break;
        }
        if (moments.Count == 0) throw new InvalidOperationException($"none of {draws} Monte-Carlo draws gave a finite ratio");
        double? se = moments.Count >= 2 ? moments.StandardError : double.NaN;
        return new Estimate(moments.Mean, se, moments.Count, draws * productsPerSample, clock.Elapsed.TotalSeconds);
    }

    private static void Check(Delegate draw, StoppingRule rule, int productsPerSample)
    {
        ArgumentNullException.ThrowIfNull(draw);
        ArgumentNullException.ThrowIfNull(rule);
        rule.Validate();
        if (productsPerSample < 0) throw new ArgumentOutOfRangeException(nameof(productsPerSample), productsPerSample, "the cost of a sample must be non-negative");
    }
}
