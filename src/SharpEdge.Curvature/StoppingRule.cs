namespace SharpEdge.Curvature;

/// <summary>
/// When a Monte-Carlo estimate stops: after at least <see cref="MinSamples"/> samples, as soon as
/// SE ≤ <see cref="RelativeStandardError"/>·|value| (a zero SE always qualifies), and in any case after
/// <see cref="MaxSamples"/>. A relative target of 0 asks for exactly <see cref="MaxSamples"/> samples (a
/// fixed-size estimate, whose confidence intervals have their nominal coverage; stopping on the estimated SE
/// biases coverage slightly downwards).
/// </summary>
public sealed record StoppingRule(int MinSamples = 20, int MaxSamples = 1000, double RelativeStandardError = 0.01)
{
    /// <summary>Exactly <paramref name="samples"/> samples.</summary>
    public static StoppingRule Fixed(int samples) => new(samples, samples, 0);

    internal void Validate()
    {
        if (MinSamples < 2) throw new ArgumentOutOfRangeException(nameof(MinSamples), MinSamples, "a standard error needs at least 2 samples");
        if (MaxSamples < MinSamples) throw new ArgumentOutOfRangeException(nameof(MaxSamples), MaxSamples, $"the sample cap is below the minimum of {MinSamples}");
        if (!(RelativeStandardError >= 0) || !double.IsFinite(RelativeStandardError))
            throw new ArgumentOutOfRangeException(nameof(RelativeStandardError), RelativeStandardError, "the relative standard-error target must be finite and non-negative");
    }

    internal bool Done(int samples, double value, double standardError) =>
        samples >= MaxSamples || (samples >= MinSamples && standardError <= RelativeStandardError * Math.Abs(value));
}
