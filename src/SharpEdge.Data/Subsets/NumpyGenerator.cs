namespace SharpEdge.Data.Subsets;

/// <summary>
/// The parts of NumPy's <c>Generator</c> (numpy 1.17+, <c>np.random.default_rng(seed)</c> over PCG64) that the
/// data-set subsets use, bit-exact: bounded integers and <c>choice(pop, size, replace=False)</c> (eoss_spec §4.4).
/// </summary>
public sealed class NumpyGenerator
{
    private readonly Pcg64 _bits;

    public NumpyGenerator(ulong seed) => _bits = new Pcg64(seed);

    public NumpyGenerator(Pcg64 bits) => _bits = bits;

    /// <summary>
    /// A uniform integer in [0, <paramref name="max"/>] (inclusive): numpy's <c>random_bounded_uint64</c> with
    /// the default Lemire method. Ranges that fit in 32 bits draw 32-bit words (and so consume half a PCG64 output).
    /// </summary>
    public ulong BoundedInclusive(ulong max)
    {
        if (max == 0) return 0;
        if (max < uint.MaxValue) return LemireUInt32((uint)max);
        if (max == uint.MaxValue) return _bits.NextUInt32();
        if (max == ulong.MaxValue) return _bits.NextUInt64();
        return LemireUInt64(max);
    }

    /// <summary>Lemire's nearly-divisionless method on 32-bit draws (buffered_bounded_lemire_uint32).</summary>
    private uint LemireUInt32(uint max)
    {
        uint exclusive = max + 1;
        ulong m = (ulong)_bits.NextUInt32() * exclusive;
        uint leftover = (uint)m;
        if (leftover < exclusive)
        {
            // 2^32 mod exclusive, the size of the biased region
            uint threshold = (uint.MaxValue - max) % exclusive;
            while (leftover < threshold)
            {
                m = (ulong)_bits.NextUInt32() * exclusive;
                leftover = (uint)m;
            }
        }
        return (uint)(m >> 32);
    }

    /// <summary>bounded_lemire_uint64: the same method on 64-bit draws with a 128-bit product.</summary>
    private ulong LemireUInt64(ulong max)
    {
        ulong exclusive = max + 1;
        UInt128 m = (UInt128)_bits.NextUInt64() * exclusive;
        ulong leftover = (ulong)m;
        if (leftover < exclusive)
        {
            ulong threshold = (ulong.MaxValue - max) % exclusive;
            while (leftover < threshold)
            {
                m = (UInt128)_bits.NextUInt64() * exclusive;
                leftover = (ulong)m;
            }
        }
        return (ulong)(m >> 64);
    }

    /// <summary>
    /// <c>choice(population, size, replace=False, shuffle=True)</c>: distinct indices in [0, population), in
    /// numpy's order. numpy takes one of two paths and the order depends on which: a partial Fisher–Yates
    /// shuffle of the tail when <c>population &gt; 10000</c> and <c>size &gt; population // 50</c>, otherwise Floyd's
    /// sampling followed by a shuffle.
    /// </summary>
    public int[] ChooseWithoutReplacement(int population, int size)
    {
        if (population < 0) throw new ArgumentOutOfRangeException(nameof(population), population, "population must be non-negative");
        if (size < 0) throw new ArgumentOutOfRangeException(nameof(size), size, "sample size must be non-negative");
        if (size > population) throw new ArgumentException($"cannot take a sample of {size} from a population of {population} without replacement");
        return population > 10000 && size > population / 50 ? TailShuffle(population, size) : FloydThenShuffle(population, size);
    }

    private int[] TailShuffle(int population, int size)
    {
        var index = new int[population];
        for (int i = 0; i < population; i++) index[i] = i;
        ShuffleDown(index, population, Math.Max(population - size, 1));
        return index.AsSpan(population - size).ToArray();
    }

    private int[] FloydThenShuffle(int population, int size)
    {
        var chosen = new int[size];
        // numpy keeps the set in an open-addressing table; only membership matters for the result
        var seen = new HashSet<int>(size);
        for (int j = population - size; j < population; j++)
        {
            int value = (int)BoundedInclusive((ulong)j);
            int pick = seen.Add(value) ? value : j;
            if (pick == j) seen.Add(j);
            chosen[j - population + size] = pick;
        }
        ShuffleDown(chosen, size, 1);
        return chosen;
    }

    /// <summary>_shuffle_int: for i = n−1 down to <paramref name="first"/>, swap element i with a uniform j ∈ [0, i].</summary>
    private void ShuffleDown(int[] data, int n, int first)
    {
        for (int i = n - 1; i >= first; i--)
        {
            int j = (int)BoundedInclusive((ulong)i);
            (data[i], data[j]) = (data[j], data[i]);
        }
    }
}
