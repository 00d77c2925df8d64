using System.Numerics;

namespace SharpEdge.Numerics;

/// <summary>A complete <see cref="Rng"/> snapshot: the four xoshiro words plus the cached normal.</summary>
public readonly record struct RngState(ulong S0, ulong S1, ulong S2, ulong S3, bool HasSpareNormal, double SpareNormal);

/// <summary>
/// Small, fast, seedable generator: xoshiro256** 1.0 (Blackman and Vigna, "Scrambled linear
/// pseudorandom number generators", 2018), its 256-bit state filled from a 64-bit seed by
/// SplitMix64 as the authors recommend.
/// </summary>
/// <remarks>
/// Every output is a pure function of the seed and the call sequence, computed with integer
/// operations and IEEE-exact double arithmetic only (no platform libm: the logarithm used for
/// normals is implemented here), so sequences are bit-identical across runs, machines and
/// operating systems. Not thread-safe: give each thread its own instance via
/// <see cref="Fork"/> or <see cref="Jump"/>. Not cryptographically secure.
/// </remarks>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;
    private bool hasSpareNormal;
    private double spareNormal;

    /// <summary>Seeds the generator; equal seeds give equal sequences.</summary>
    public Rng(ulong seed)
    {
        ulong counter = seed;
        s0 = SplitMix64(ref counter);
        s1 = SplitMix64(ref counter);
        s2 = SplitMix64(ref counter);
        s3 = SplitMix64(ref counter);
        // SplitMix64 is a bijection of distinct counter values, so the four words are never all zero.
    }

    /// <summary>Resumes exactly from a snapshot taken with <see cref="GetState"/>.</summary>
    public Rng(RngState state) => SetState(state);

    /// <summary>
    /// One step of SplitMix64 (Steele, Lea and Flood 2014): advances <paramref name="counter"/> by the
    /// golden-ratio increment and returns the mixed value.
    /// </summary>
    public static ulong SplitMix64(ref ulong counter)
    {
        ulong z = counter += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
        ulong shifted = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= shifted;
        s3 = BitOperations.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1): the top 53 bits scaled by 2^-53, so every value is a multiple of 2^-53.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, 1): the top 24 bits scaled by 2^-24.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>
    /// Uniform integer in [0, <paramref name="exclusiveMax"/>), exactly unbiased by Lemire's
    /// multiply-and-reject method ("Fast random integer generation in an interval", 2019).
    /// </summary>
    public int NextInt(int exclusiveMax)
    {
        if (exclusiveMax <= 0)
            throw new ArgumentOutOfRangeException(nameof(exclusiveMax), exclusiveMax, "must be positive");
        return (int)NextUInt32Below((uint)exclusiveMax);
    }

    /// <summary>Uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must exceed minInclusive");
        return (int)((uint)minInclusive + NextUInt32Below((uint)(maxExclusive - minInclusive)));
    }

    private uint NextUInt32Below(uint range)
    {
        // The high word of a 32x32 product is uniform over [0, range) except for the
        // 2^32 mod range lowest products, which are rejected; the modulo runs only when
        // rejection is possible at all.
        ulong product = (NextUInt64() >> 32) * range;
        uint low = (uint)product;
        if (low < range)
        {
            uint threshold = (0u - range) % range;
            while (low < threshold)
            {
                product = (NextUInt64() >> 32) * range;
                low = (uint)product;
            }
        }
        return (uint)(product >> 32);
    }

    /// <summary>
    /// Standard normal variate by the Marsaglia polar method: draws come in pairs, the second is
    /// cached and returned by the next call (and is part of <see cref="GetState"/>).
    /// </summary>
    public double NextNormal()
    {
        if (hasSpareNormal)
        {
            hasSpareNormal = false;
            return spareNormal;
        }
        double u, v, radiusSquared;
        do
        {
            u = 2.0 * NextDouble() - 1.0;
            v = 2.0 * NextDouble() - 1.0;
            radiusSquared = u * u + v * v;
        }
        while (radiusSquared >= 1.0 || radiusSquared == 0.0);
        double factor = Math.Sqrt(-2.0 * Log(radiusSquared) / radiusSquared);
        spareNormal = v * factor;
        hasSpareNormal = true;
        return u * factor;
    }

    /// <summary>Fills with mean + std * <see cref="NextNormal"/>, element by element (same values as a loop of calls).</summary>
    public void FillNormal(Span<double> destination, double mean = 0.0, double std = 1.0)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = mean + std * NextNormal();
    }

    /// <summary>Fills with (float)(mean + std * <see cref="NextNormal"/>), computed in double.</summary>
    public void FillNormal(Span<float> destination, float mean = 0.0f, float std = 1.0f)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)(mean + (double)std * NextNormal());
    }

    /// <summary>Fills with uniform values in [low, high) from <see cref="NextDouble"/>.</summary>
    public void FillUniform(Span<double> destination, double low = 0.0, double high = 1.0)
    {
        double width = high - low;
        for (int i = 0; i < destination.Length; i++) destination[i] = low + width * NextDouble();
    }

    /// <summary>Fills with uniform values in [low, high), computed in double from <see cref="NextDouble"/>.</summary>
    public void FillUniform(Span<float> destination, float low = 0.0f, float high = 1.0f)
    {
        double width = (double)high - low;
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)(low + width * NextDouble());
    }

    /// <summary>Uniform random permutation in place (Fisher-Yates / Durstenfeld).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)NextUInt32Below((uint)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// Advances the state by 2^128 steps (the xoshiro256 jump polynomial). Calling it k times on
    /// copies of one generator yields 2^128 non-overlapping subsequences, e.g. one per thread.
    /// Clears the cached normal.
    /// </summary>
    public void Jump()
    {
        ReadOnlySpan<ulong> jumpPolynomial = [0x180EC6D33CFD0ABAUL, 0xD5A61266F0C9392CUL, 0xA9582618E03FC9AAUL, 0x39ABDC4529B1661CUL];
        ulong j0 = 0, j1 = 0, j2 = 0, j3 = 0;
        foreach (ulong word in jumpPolynomial)
        {
            for (int bit = 0; bit < 64; bit++)
            {
                if ((word & (1UL << bit)) != 0)
                {
                    j0 ^= s0;
                    j1 ^= s1;
                    j2 ^= s2;
                    j3 ^= s3;
                }
                NextUInt64();
            }
        }
        (s0, s1, s2, s3) = (j0, j1, j2, j3);
        hasSpareNormal = false;
        spareNormal = 0.0;
    }

    /// <summary>
    /// A new generator for stream number <paramref name="stream"/>, derived from this generator's
    /// current state without advancing it: equal (state, stream) give equal children, distinct
    /// streams give unrelated seeds (each state word is re-mixed through SplitMix64 together with
    /// the stream id). Overlap between children is not impossible as with <see cref="Jump"/>, only
    /// astronomically unlikely in a 2^256 state space; use it for per-thread/per-task streams.
    /// </summary>
    public Rng Fork(ulong stream)
    {
        ulong counter = stream * 0xD1B54A32D192ED03UL ^ 0x5851F42D4C957F2DUL;
        counter ^= s0;
        ulong c0 = SplitMix64(ref counter);
        counter ^= s1;
        ulong c1 = SplitMix64(ref counter);
        counter ^= s2;
        ulong c2 = SplitMix64(ref counter);
        counter ^= s3;
        ulong c3 = SplitMix64(ref counter);
        if ((c0 | c1 | c2 | c3) == 0) c0 = 1; // xoshiro's one forbidden state
        return new Rng(new RngState(c0, c1, c2, c3, false, 0.0));
    }

    /// <summary>Snapshot of everything that determines future outputs.</summary>
    public RngState GetState() => new(s0, s1, s2, s3, hasSpareNormal, spareNormal);

    /// <summary>Restores a snapshot; the generator then continues bit-identically.</summary>
    public void SetState(RngState state)
    {
        if ((state.S0 | state.S1 | state.S2 | state.S3) == 0)
            throw new ArgumentException("the all-zero xoshiro state is invalid", nameof(state));
        (s0, s1, s2, s3) = (state.S0, state.S1, state.S2, state.S3);
        hasSpareNormal = state.HasSpareNormal;
        spareNormal = state.HasSpareNormal ? state.SpareNormal : 0.0;
    }

    /// <summary>
    /// Natural log for x in (0, 1], from + - * / only, so normals do not depend on the platform's
    /// libm. x = 2^k m with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(z), z = (m-1)/(m+1),
    /// |z| &lt;= 0.172, summed to z^23 (truncation below 1e-19 relative).
    /// </summary>
    internal static double Log(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)(bits >> 52) - 1023;
        double mantissa = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        if (mantissa > 1.4142135623730951)
        {
            mantissa *= 0.5;
            exponent++;
        }
        double f = mantissa - 1.0;
        double z = f / (2.0 + f);
        double z2 = z * z;
        double series = 1.0 / 23;
        series = series * z2 + 1.0 / 21;
        series = series * z2 + 1.0 / 19;
        series = series * z2 + 1.0 / 17;
        series = series * z2 + 1.0 / 15;
        series = series * z2 + 1.0 / 13;
        series = series * z2 + 1.0 / 11;
        series = series * z2 + 1.0 / 9;
        series = series * z2 + 1.0 / 7;
        series = series * z2 + 1.0 / 5;
        series = series * z2 + 1.0 / 3;
        // ln m = 2z(1 + z^2 S) with S the series above; written as f - z(f - 2 z^2 S) since 2z = f - z f.
        double logMantissa = f - z * (f - 2.0 * z2 * series);
        return exponent * 0.6931471805599453 + (logMantissa + exponent * 2.3190468138462996e-17);
    }
}
