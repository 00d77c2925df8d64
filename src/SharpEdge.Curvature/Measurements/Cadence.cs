namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// When a measurement is taken during training, as in HEAD's <c>utils/frequency.py</c> (eoss_spec §8.1): a
/// rule fires at step t when t mod interval(t) = 0, so every rule fires at step 0. The base interval depends on
/// the batch size (one value for b ≤ 32, another above; HEAD mixes b ≤ 33, b &lt; 33 and b &gt; 32, §15.1.14,
/// and we use one threshold) and is multiplied by each growth factor whose step threshold has been passed.
/// </summary>
public sealed record Cadence
{
    /// <summary>Batches up to this size use <see cref="SmallBatchEvery"/>.</summary>
    public const int SmallBatchLimit = 32;

    private Cadence(int smallBatchEvery, int largeBatchEvery, IReadOnlyList<CadenceGrowth> growth)
    {
        if (smallBatchEvery < 1 || largeBatchEvery < 1) throw new ArgumentOutOfRangeException(nameof(smallBatchEvery), "a cadence interval must be at least one step");
        SmallBatchEvery = smallBatchEvery;
        LargeBatchEvery = largeBatchEvery;
        Growth = growth;
    }

    public int SmallBatchEvery { get; }
    public int LargeBatchEvery { get; }
    public IReadOnlyList<CadenceGrowth> Growth { get; }

    /// <summary>Every <paramref name="steps"/> steps, or every <paramref name="largeBatchSteps"/> for b &gt; 32 when given.</summary>
    public static Cadence Every(int steps, int? largeBatchSteps = null) => new(steps, largeBatchSteps ?? steps, []);

    /// <summary>The same rule with the interval multiplied by <paramref name="factor"/> once the step exceeds <paramref name="afterStep"/>.</summary>
    public Cadence Times(int factor, long afterStep)
    {
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), factor, "a growth factor must be at least 1");
        return new(SmallBatchEvery, LargeBatchEvery, [.. Growth, new CadenceGrowth(afterStep, factor)]);
    }

    /// <summary>Steps between measurements at step <paramref name="step"/>.</summary>
    public long Interval(long step, int batchSize)
    {
        long every = batchSize <= SmallBatchLimit ? SmallBatchEvery : LargeBatchEvery;
        foreach (var g in Growth)
            if (step > g.AfterStep) every *= g.Factor;
        return every;
    }

    /// <summary>Whether the measurement is taken at <paramref name="step"/> (before that step's update).</summary>
    public bool Fires(long step, int batchSize)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "steps count from 0");
        return step % Interval(step, batchSize) == 0;
    }

    /// <summary>
    /// How many steps t in [<paramref name="from"/>, <paramref name="to"/>) the rule fires at, counted piece by piece
    /// (the interval is constant between growth thresholds), not step by step.
    /// </summary>
    public long FiresBetween(long from, long to, int batchSize)
    {
        from = Math.Max(0, from);
        long count = 0, start = from;
        // The interval changes at AfterStep + 1 of each growth, in increasing order of those steps.
        foreach (var change in Growth.Select(g => g.AfterStep + 1).Where(s => s > from).Order().Append(long.MaxValue))
        {
            long end = Math.Min(to, change);
            if (end > start) count += MultiplesBetween(start, end, Interval(start, batchSize));
            start = Math.Max(start, change);
            if (start >= to) break;
        }
        return count;
    }

    /// <summary>The multiples of <paramref name="k"/> in [<paramref name="from"/>, <paramref name="to"/>), for 0 ≤ from ≤ to.</summary>
    public static long MultiplesBetween(long from, long to, long k) => to <= from ? 0 : CeilingDivide(to, k) - CeilingDivide(from, k);

    private static long CeilingDivide(long n, long k) => (n + k - 1) / k;
}

/// <summary>The interval is multiplied by <see cref="Factor"/> for steps after <see cref="AfterStep"/>.</summary>
public readonly record struct CadenceGrowth(long AfterStep, int Factor);
