using System.Globalization;
using SharpEdge.Curvature.Measurements;

namespace SharpEdge.Training;

/// <summary>
/// The steps at which one measurement is taken during training (eoss_spec §8): optional dense early phases
/// "every e steps while step &lt; u", then either every N steps or the measurement's own HEAD rule
/// (<see cref="IMeasurement.Cadence"/>, with its growth after 10k, 30k … steps). A rule fires at step t when
/// t mod interval = 0, so every cadence fires at step 0.
/// </summary>
/// <remarks>
/// Text form, as after the <c>@</c> of <c>--measure lambda-max@…</c>: <c>100</c> (every 100 steps),
/// <c>head</c> (the HEAD rule), or phases separated by <c>/</c> ending in one of those:
/// <c>1&lt;128/4&lt;256/256</c> is the seed's dense early λ_max logging (every step below 128, every 4th below 256,
/// then every 256th). <c>end</c> never fires: the measurement is taken only at the last step, as every measurement is
/// (<c>--final</c>'s measurements).
/// </remarks>
public sealed class MeasurementCadence
{
    private readonly (int Every, long Until)[] early;
    private readonly int every;
    private readonly Cadence? rule;
    private readonly bool never;

    private MeasurementCadence((int Every, long Until)[] early, int every, Cadence? rule, bool never = false)
    {
        this.early = early;
        this.every = every;
        this.rule = rule;
        this.never = never;
    }

    /// <summary>Never during training: only at the last step, where every measurement is taken.</summary>
    public static MeasurementCadence AtEnd { get; } = new([], 0, null, never: true);

    /// <summary>Whether this is <see cref="AtEnd"/>.</summary>
    public bool OnlyAtEnd => never;

    /// <summary>Every <paramref name="steps"/> steps.</summary>
    public static MeasurementCadence Every(int steps) =>
        steps >= 1 ? new([], steps, null) : throw new ArgumentOutOfRangeException(nameof(steps), steps, "a cadence interval must be at least one step");

    /// <summary>Whether the measurement is taken at <paramref name="step"/> (before that step's update).</summary>
    public bool Fires(long step, int batchSize)
    {
        if (never) return false;
        foreach (var (e, until) in early)
            if (step < until) return step % e == 0;
        return rule is not null ? rule.Fires(step, batchSize) : step % every == 0;
    }

    /// <summary>
    /// How many steps t in [<paramref name="from"/>, <paramref name="to"/>) it fires at (the end of a run, where every
    /// measurement is taken, aside), counted phase by phase: what an ETA needs from a cadence that is dense early.
    /// </summary>
    public long FiresBetween(long from, long to, int batchSize)
    {
        if (never) return 0;
        from = Math.Max(0, from);
        long count = 0, phaseStart = 0;
        foreach (var (e, until) in early)
        {
            long a = Math.Max(from, phaseStart), b = Math.Min(to, until);
            if (b > a) count += Cadence.MultiplesBetween(a, b, e);
            phaseStart = until;
        }
        long rest = Math.Max(from, phaseStart);
        if (rest >= to) return count;
        return count + (rule is not null ? rule.FiresBetween(rest, to, batchSize) : Cadence.MultiplesBetween(rest, to, every));
    }

    /// <summary>Parses the text after <c>@</c> for <paramref name="measurement"/> (whose HEAD rule <c>head</c> names).</summary>
    public static MeasurementCadence Parse(string text, IMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        return Parse(text, measurement.Name, measurement.Cadence);
    }

    /// <summary>
    /// Parses a cadence of <paramref name="name"/> (a measurement, or the option that sets the cadence, <c>--test-every</c>)
    /// whose HEAD rule is <paramref name="head"/> (none: 'head' is an error).
    /// </summary>
    public static MeasurementCadence Parse(string text, string name, Cadence? head)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(name);
        if (text.Trim() == "end") return AtEnd;
        var parts = text.Split('/', StringSplitOptions.TrimEntries);
        var early = new List<(int Every, long Until)>();
        foreach (var part in parts[..^1])
        {
            var less = part.IndexOf('<');
            if (less < 0 || !TryInterval(part[..less], out var e) || !long.TryParse(part[(less + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var until))
                throw Bad(name, text, $"'{part}' is not a phase EVERY<UNTIL");
            if (until <= (early.Count > 0 ? early[^1].Until : 0))
                throw Bad(name, text, $"phase ends must increase, got {until} after {(early.Count > 0 ? early[^1].Until : 0)}");
            early.Add((e, until));
        }
        var last = parts[^1];
        if (last == "head") return head is not null ? new([.. early], 0, head) : throw Bad(name, text, "there is no HEAD rule for it (the original has no such quantity)");
        if (TryInterval(last, out var n)) return new([.. early], n, null);
        throw Bad(name, text, $"'{last}' is neither a step count nor 'head'");
    }

    /// <summary>The text form (round-trips through <see cref="Parse"/>).</summary>
    public override string ToString() => never ? "end" :
        string.Concat(early.Select(p => $"{p.Every}<{p.Until}/")) + (rule is null ? every.ToString(CultureInfo.InvariantCulture) : "head");

    private static bool TryInterval(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;

    /// <summary>An error naming the cadence as written: <c>lambda-max@TEXT</c>, or <c>--OPTION TEXT</c> for an option's cadence.</summary>
    private static ArgumentException Bad(string name, string text, string problem) => new(
        $"{(name.StartsWith("--", StringComparison.Ordinal) ? $"{name} {text}" : $"{name}@{text}")}: {problem}; a cadence is N (every N steps), 'head' (the measurement's own rule, eoss_spec §8.1), " +
        "or phases EVERY<UNTIL separated by '/' before either, e.g. 1<128/4<256/256; 'end' takes it only at the last step");
}
