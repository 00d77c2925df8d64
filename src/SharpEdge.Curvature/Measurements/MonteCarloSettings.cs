namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Overrides of the stopping rules of Monte-Carlo measurements. Each measurement has its own default rule (the
/// original's, eoss_spec §7: batch sharpness at least 21 samples, at most 1000, relative SE 0.5 %; the Hessian
/// trace 20/256/1 %; …); a field set here replaces that field of every default, a null field keeps it.
/// </summary>
public sealed record MonteCarloSettings(int? MinSamples = null, int? MaxSamples = null, double? RelativeStandardError = null)
{
    /// <summary>Exactly <paramref name="samples"/> samples for every Monte-Carlo measurement.</summary>
    public static MonteCarloSettings Fixed(int samples) => new(samples, samples, 0);

    /// <summary>
    /// The default rule with these overrides. When only the cap is given and it is below the default minimum,
    /// the minimum follows it down (asking for at most 10 samples means 10, not an error); when only the
    /// minimum is given and it is above the default cap, the cap follows it up.
    /// </summary>
    public StoppingRule Apply(StoppingRule defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        int max = MaxSamples ?? Math.Max(defaults.MaxSamples, MinSamples ?? 0);
        int min = MinSamples ?? Math.Min(defaults.MinSamples, max);
        if (min < 2) throw new ArgumentOutOfRangeException(nameof(MinSamples), min, "a Monte-Carlo standard error needs at least 2 samples");
        if (max < min) throw new ArgumentOutOfRangeException(nameof(MaxSamples), max, $"the sample cap {max} is below the minimum of {min} samples");
        double relative = RelativeStandardError ?? defaults.RelativeStandardError;
        if (!(relative >= 0) || !double.IsFinite(relative))
            throw new ArgumentOutOfRangeException(nameof(RelativeStandardError), relative, "the relative standard-error target must be finite and non-negative");
        return new StoppingRule(min, max, relative);
    }
}
