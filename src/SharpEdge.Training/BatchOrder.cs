using SharpEdge.Numerics;

namespace SharpEdge.Training;

/// <summary>
/// Minibatches drawn without replacement within each epoch from a permutation that is a function of
/// (order seed, epoch) only, like the original's `--data-ordering-seed` (eoss_spec §9.2), so the data order
/// does not depend on which measurements consume random numbers, and a run resumed at any step sees the same
/// batches. Epochs have ⌊n/b⌋ steps (drop-last).
/// </summary>
public sealed class BatchOrder
{
    private readonly int[] permutation;
    private int epochInPermutation = -1;

    public BatchOrder(int sampleCount, int batchSize, ulong seed)
    {
        if (batchSize < 1 || batchSize > sampleCount)
            throw new ArgumentException($"batch size must be between 1 and the {sampleCount} samples, got {batchSize}");
        SampleCount = sampleCount;
        BatchSize = batchSize;
        Seed = seed;
        permutation = new int[sampleCount];
    }

    public int SampleCount { get; }
    public int BatchSize { get; }
    public ulong Seed { get; }
    public int StepsPerEpoch => SampleCount / BatchSize;

    public long EpochOf(long step) => step / StepsPerEpoch;

    /// <summary>The sample indices of global step <paramref name="step"/> (0-based).</summary>
    public ReadOnlySpan<int> Batch(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "steps start at 0");
        var epoch = (int)EpochOf(step);
        if (epoch != epochInPermutation)
        {
            for (int i = 0; i < permutation.Length; i++) permutation[i] = i;
            new Rng(Seed).Fork((ulong)epoch).Shuffle(permutation.AsSpan());
            epochInPermutation = epoch;
        }
        var position = (int)(step % StepsPerEpoch);
        return permutation.AsSpan(position * BatchSize, BatchSize);
    }
}
