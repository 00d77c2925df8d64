namespace SharpEdge.Numerics.Tests;

public class RngTests
{
    // Reference values below come from an independent Python implementation using exact integer
    // arithmetic (xoshiro256**, SplitMix64, Lemire's method; normals replay the polar method with
    // the same IEEE operations). The jump state was checked against the 256x256 GF(2) transition
    // matrix raised to 2^128 by repeated squaring, which confirms the jump polynomial.

    [Fact]
    public void Seed_FillsStateThroughSplitMix64()
    {
        RngState state = new Rng(42).GetState();
        Assert.Equal(0xBDD732262FEB6E95UL, state.S0);
        Assert.Equal(0x28EFE333B266F103UL, state.S1);
        Assert.Equal(0x47526757130F9F52UL, state.S2);
        Assert.Equal(0x581CE1FF0E4AE394UL, state.S3);
        Assert.False(state.HasSpareNormal);
    }

    [Fact]
    public void NextUInt64_MatchesReferenceOutputs()
    {
        var rng = new Rng(42);
        ulong[] expected = [0x15780B2E0C2EC716, 0x6104D9866D113A7E, 0xAE17533239E499A1, 0xECB8AD4703B360A1, 0xFDE6DC7FE2EC5E64, 0xC50DA53101795238];
        foreach (ulong value in expected) Assert.Equal(value, rng.NextUInt64());

        var zeroSeeded = new Rng(0);
        Assert.Equal(0x99EC5F36CB75F2B4UL, zeroSeeded.NextUInt64());
        Assert.Equal(0xBF6E1F784956452AUL, zeroSeeded.NextUInt64());
        Assert.Equal(0x1A5F849D4933E6E0UL, zeroSeeded.NextUInt64());
    }

    [Fact]
    public void NextDouble_NextInt_NextNormal_MatchReference()
    {
        var rng = new Rng(42);
        Assert.Equal(0.08386297105988216, rng.NextDouble());
        Assert.Equal(0.3789802506626686, rng.NextDouble());
        Assert.Equal(0.6800434110281394, rng.NextDouble());

        rng = new Rng(42);
        int[] expectedInts = [0, 3, 6, 9, 9, 7, 7, 8, 7, 5, 6, 2];
        foreach (int value in expectedInts) Assert.Equal(value, rng.NextInt(10));

        rng = new Rng(42);
        int[] expectedLarge = [180094358, 813853890, 1460382104, 1985762978];
        foreach (int value in expectedLarge) Assert.Equal(value, rng.NextInt(int.MaxValue));

        rng = new Rng(42);
        double[] expectedNormals = [-0.7262191382447857, -0.21119691823195985, 0.2216227015035933, 0.5227716877560146, 0.46417731016247366, 0.7409788916865562];
        foreach (double value in expectedNormals) Assert.Equal(value, rng.NextNormal());
    }

    [Fact]
    public void Jump_MatchesMatrixPowerReference()
    {
        // Seed-42 words with a cached spare normal, which Jump must drop.
        var rng = new Rng(new RngState(0xBDD732262FEB6E95, 0x28EFE333B266F103, 0x47526757130F9F52, 0x581CE1FF0E4AE394, true, 1.5));
        rng.Jump();
        RngState state = rng.GetState();
        Assert.Equal(new RngState(0x81746704FDE896B5, 0x645E944932DAE0AE, 0xF4776829231C282C, 0x2393F9798732DBA1, false, 0.0), state);
        Assert.Equal(0x50086EF83CBF4F4AUL, rng.NextUInt64());
        Assert.Equal(0xBA285EC21347D703UL, rng.NextUInt64());
        Assert.Equal(0x5EA1247B4DC6452AUL, rng.NextUInt64());
    }

    [Fact]
    public void NextDouble_IsUniform()
    {
        const int samples = 1_000_000;
        const int buckets = 100;
        var rng = new Rng(7);
        var counts = new int[buckets];
        double sum = 0, sumSquares = 0;
        for (int i = 0; i < samples; i++)
        {
            double u = rng.NextDouble();
            Assert.True(u is >= 0.0 and < 1.0);
            sum += u;
            sumSquares += u * u;
            counts[(int)(u * buckets)]++;
        }
        double mean = sum / samples;
        double variance = sumSquares / samples - mean * mean;
        // Standard errors: sqrt(1/12/n) = 2.9e-4 for the mean, ~3e-4*... for the variance; bounds are ~5 sigma.
        Assert.InRange(mean, 0.5 - 0.0015, 0.5 + 0.0015);
        Assert.InRange(variance, 1.0 / 12 - 0.0008, 1.0 / 12 + 0.0008);
        // Chi-square with 99 degrees of freedom: mean 99, sd 14; fails beyond ~5 sd either way.
        double chiSquare = ChiSquare(counts, Enumerable.Repeat((double)samples / buckets, buckets).ToArray());
        Assert.InRange(chiSquare, 40, 170);

        for (int i = 0; i < 10_000; i++) Assert.True(rng.NextSingle() is >= 0f and < 1f);
    }

    [Fact]
    public void NextNormal_HasStandardNormalMomentsAndShape()
    {
        const int samples = 1_000_000;
        var rng = new Rng(8);
        // Bins of width 0.25 on [-3, 3] plus two tails; expected mass from the normal CDF.
        double[] edges = [double.NegativeInfinity, .. Enumerable.Range(0, 25).Select(k => -3.0 + 0.25 * k), double.PositiveInfinity];
        var counts = new int[edges.Length - 1];
        double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
        for (int i = 0; i < samples; i++)
        {
            double z = rng.NextNormal();
            m1 += z; m2 += z * z; m3 += z * z * z; m4 += z * z * z * z;
            int bin = z < -3.0 ? 0 : z >= 3.0 ? counts.Length - 1 : 1 + (int)((z + 3.0) * 4);
            counts[bin]++;
        }
        m1 /= samples; m2 /= samples; m3 /= samples; m4 /= samples;
        // ~5 standard errors: sqrt(1/n), sqrt(2/n), sqrt(6/n), sqrt(24/n).
        Assert.InRange(m1, -0.005, 0.005);
        Assert.InRange(m2, 1 - 0.007, 1 + 0.007);
        Assert.InRange(m3, -0.012, 0.012);
        Assert.InRange(m4, 3 - 0.05, 3 + 0.05);

        static double NormalCdf(double z) => double.IsInfinity(z) ? (z > 0 ? 1.0 : 0.0) : 0.5 * SimdMath.Erfc(-z / Math.Sqrt(2.0));
        double[] expected = new double[counts.Length];
        for (int b = 0; b < counts.Length; b++) expected[b] = samples * (NormalCdf(edges[b + 1]) - NormalCdf(edges[b]));
        // 25 degrees of freedom: mean 25, sd 7.1.
        Assert.InRange(ChiSquare(counts, expected), 3, 65);
    }

    [Fact]
    public void FillNormal_AppliesMeanAndStd_AndEqualsLoopOfNextNormal()
    {
        var filled = new double[200_001];
        new Rng(9).FillNormal(filled, mean: 3.0, std: 2.0);
        var loop = new Rng(9);
        for (int i = 0; i < 1000; i++) Assert.Equal(3.0 + 2.0 * loop.NextNormal(), filled[i]);
        double mean = filled.Average();
        double std = Math.Sqrt(filled.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, 3.0 - 0.015, 3.0 + 0.015);
        Assert.InRange(std, 2.0 - 0.015, 2.0 + 0.015);

        var floats = new float[200_000];
        new Rng(10).FillNormal(floats, mean: -1f, std: 0.5f);
        double meanF = floats.Average(v => (double)v);
        Assert.InRange(meanF, -1.0 - 0.004, -1.0 + 0.004);

        var uniform = new float[1000];
        new Rng(11).FillUniform(uniform, -2f, 2f);
        Assert.All(uniform, v => Assert.InRange(v, -2f, 2f));
    }

    [Fact]
    public void GetStateSetState_ResumesBitIdentically_IncludingSpareNormal()
    {
        var rng = new Rng(123);
        for (int i = 0; i < 7; i++) rng.NextNormal(); // odd count: a spare normal is cached
        RngState checkpoint = rng.GetState();
        Assert.True(checkpoint.HasSpareNormal);

        double[] first = Draw(rng);
        double[] resumedFresh = Draw(new Rng(checkpoint));
        rng.SetState(checkpoint);
        double[] resumedSame = Draw(rng);
        Assert.Equal(first, resumedFresh);
        Assert.Equal(first, resumedSame);

        Assert.Throws<ArgumentException>(() => rng.SetState(new RngState(0, 0, 0, 0, false, 0)));

        static double[] Draw(Rng r)
        {
            var values = new double[200];
            for (int i = 0; i < values.Length; i++)
                values[i] = (i % 4) switch { 0 => r.NextNormal(), 1 => r.NextDouble(), 2 => r.NextInt(1000), _ => r.NextUInt64() >> 12 };
            return values;
        }
    }

    [Fact]
    public void NextInt_SmallRange_IsUnbiased()
    {
        const int samples = 300_000;
        var rng = new Rng(17);
        var counts = new int[3];
        for (int i = 0; i < samples; i++) counts[rng.NextInt(3)]++;
        // 2 degrees of freedom: P(chi2 > 20) = 4.5e-5.
        Assert.True(ChiSquare(counts, [samples / 3.0, samples / 3.0, samples / 3.0]) < 20);

        for (int i = 0; i < 1000; i++) Assert.Equal(0, rng.NextInt(1));
        for (int i = 0; i < 1000; i++) Assert.InRange(rng.NextInt(-5, 5), -5, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(3, 3));
    }

    [Fact]
    public void NextInt_LargeRange_HasNoModuloOrMultiplyShiftBias()
    {
        // For range r = 0x60000000, 2^32/r = 2.67: a biased mapping gives some values 3 source
        // words and others 2. Plain modulo overweights [0, 2^32 - 2r) (bins 0 and 1 get 3/8 each);
        // multiply-shift without rejection lands on its "3-preimage" values 75% of the time
        // instead of the 2/3 of values they make up. Lemire's rejection removes both.
        const uint range = 0x60000000;
        const int samples = 120_000;
        var rng = new Rng(19);
        var thirds = new int[3];
        int onThreePreimageValues = 0;
        for (int i = 0; i < samples; i++)
        {
            uint v = (uint)rng.NextInt((int)range);
            thirds[v / (range / 3)]++;
            if (MultiplyShiftPreimages(v, range) == 3) onThreePreimageValues++;
        }
        Assert.True(ChiSquare(thirds, [samples / 3.0, samples / 3.0, samples / 3.0]) < 20);
        double fraction = (double)onThreePreimageValues / samples;
        Assert.InRange(fraction, 2.0 / 3 - 0.008, 2.0 / 3 + 0.008); // sd 0.0014; biased would be 0.75

        static int MultiplyShiftPreimages(uint value, uint r)
        {
            // Words w with floor(w * r / 2^32) == value: w in [ceil(value 2^32 / r), ceil((value+1) 2^32 / r)).
            ulong Ceiling(ulong v) => ((v << 32) + r - 1) / r;
            return (int)(Ceiling((ulong)value + 1) - Ceiling(value));
        }
    }

    [Fact]
    public void Shuffle_IsAUniformPermutation()
    {
        var rng = new Rng(21);
        int[] items = Enumerable.Range(0, 100).ToArray();
        rng.Shuffle<int>(items);
        Assert.Equal(Enumerable.Range(0, 100), items.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), items);

        const int samples = 60_000;
        var counts = new int[6];
        Span<int> three = stackalloc int[3];
        for (int i = 0; i < samples; i++)
        {
            three[0] = 0; three[1] = 1; three[2] = 2;
            rng.Shuffle(three);
            counts[three[0] * 2 + (three[1] > three[2] ? 1 : 0)]++;
        }
        // 5 degrees of freedom: P(chi2 > 25) = 1.4e-4.
        Assert.True(ChiSquare(counts, Enumerable.Repeat(samples / 6.0, 6).ToArray()) < 25);

        int[] a = Enumerable.Range(0, 50).ToArray(), b = Enumerable.Range(0, 50).ToArray();
        new Rng(5).Shuffle<int>(a);
        new Rng(5).Shuffle<int>(b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Fork_IsDeterministic_DoesNotAdvanceParent_AndSeparatesStreams()
    {
        var parent = new Rng(99);
        RngState before = parent.GetState();
        Rng child0 = parent.Fork(0), child1 = parent.Fork(1), child0Again = parent.Fork(0);
        Assert.Equal(before, parent.GetState());

        ulong[] s0 = Enumerable.Range(0, 64).Select(_ => child0.NextUInt64()).ToArray();
        ulong[] s0Again = Enumerable.Range(0, 64).Select(_ => child0Again.NextUInt64()).ToArray();
        ulong[] s1 = Enumerable.Range(0, 64).Select(_ => child1.NextUInt64()).ToArray();
        ulong[] p = Enumerable.Range(0, 64).Select(_ => parent.NextUInt64()).ToArray();
        Assert.Equal(s0, s0Again);
        Assert.Empty(s0.Intersect(s1));
        Assert.Empty(s0.Intersect(p));

        // Neighbouring streams are uncorrelated: matching bits between them average 32 of 64.
        double agreeing = s0.Zip(s1, (x, y) => 64 - System.Numerics.BitOperations.PopCount(x ^ y)).Average();
        Assert.InRange(agreeing, 30, 34);
    }

    private static double ChiSquare(int[] observed, double[] expected)
    {
        double sum = 0;
        for (int i = 0; i < observed.Length; i++) sum += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
        return sum;
    }
}
