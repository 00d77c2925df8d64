using SharpEdge.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// The Monte-Carlo batches B₀, B₁, … of one measurement context: each a uniformly random set of b distinct
/// sample indices (without replacement within the batch, like the original's <c>randperm(n)[:b]</c>,
/// eoss_spec §7), independent across batches, drawn in order from one seeded stream. Batch i is therefore a
/// function of (seed, i) alone: the same whichever thread evaluates it, however many samples a measurement
/// ends up using, and shared by every Monte-Carlo measurement of the context (common random numbers, which
/// makes differences between measurements, such as GNI against the one-step loss change, less noisy).
/// </summary>
/// <remarks>
/// Each batch is a partial Fisher–Yates shuffle of a persistent permutation: b swaps, uniform whatever the
/// permutation holds beforehand. Drawn batches are kept (b ints each) so that batch i stays available.
/// </remarks>
public sealed class BatchSequence
{
    private readonly Rng rng;
    private readonly int[] permutation;
    private int[] drawn = [];

    public BatchSequence(int sampleCount, int batchSize, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (sampleCount < 1) throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount, "no samples to draw batches from");
        if (batchSize < 1 || batchSize > sampleCount)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"the batch size must be in [1, {sampleCount}] (the number of samples)");
        this.rng = rng;
        permutation = Enumerable.Range(0, sampleCount).ToArray();
        BatchSize = batchSize;
    }

    public int BatchSize { get; }
    public int SampleCount => permutation.Length;

    /// <summary>Batches drawn so far.</summary>
    public int Count { get; private set; }

    /// <summary>The sample indices of batch <paramref name="index"/>, drawing the batches before it if needed.</summary>
    public ReadOnlySpan<int> this[int index]
    {
        get
        {
            if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "batch indices count from 0");
            DrawThrough(index + 1);
            return drawn.AsSpan(index * BatchSize, BatchSize);
        }
    }

    /// <summary>
    /// Makes sure batches [0, <paramref name="count"/>) exist. Call before reading batches from several threads:
    /// reading drawn batches is safe concurrently, drawing is not.
    /// </summary>
    public void DrawThrough(int count)
    {
        if (count <= Count) return;
        long needed = (long)count * BatchSize;
        if (needed > Array.MaxLength) throw new InvalidOperationException($"{count} batches of {BatchSize} do not fit in memory");
        if (needed > drawn.Length) Array.Resize(ref drawn, (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * drawn.Length)));
        int n = permutation.Length;
        for (int batch = Count; batch < count; batch++)
        {
            for (int j = 0; j < BatchSize; j++)
            {
                int r = j + rng.NextInt(n - j);
                (permutation[j], permutation[r]) = (permutation[r], permutation[j]);
            }
            permutation.AsSpan(0, BatchSize).CopyTo(drawn.AsSpan(batch * BatchSize));
        }
        Count = count;
    }
}
