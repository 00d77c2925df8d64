namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>
/// NumPy's legacy <c>RandomState(seed)</c> for an integer seed: MT19937 seeded by <c>init_genrand</c>, 53-bit
/// doubles from two 32-bit outputs, and Gaussians by the Marsaglia polar method with one cached value
/// (phase_ml_spec §10.3). It exists only to rebuild the notebook's fixed test inputs bit for bit; training
/// uses <see cref="Numerics.Rng"/>.
/// </summary>
public sealed class LegacyNumpyRandom
{
    private const int StateSize = 624, Shift = 397;
    private readonly uint[] state = new uint[StateSize];
    private int position;
    private double? cachedGaussian;

    public LegacyNumpyRandom(uint seed)
    {
        state[0] = seed;
        for (int i = 1; i < StateSize; i++)
            state[i] = unchecked(1812433253u * (state[i - 1] ^ (state[i - 1] >> 30)) + (uint)i);
        position = StateSize;
    }

    /// <summary>The next tempered 32-bit output of MT19937.</summary>
    public uint NextUInt32()
    {
        if (position >= StateSize) Twist();
        uint y = state[position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        return y ^ (y >> 18);
    }

    /// <summary><c>random_sample()</c>: a double in [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /// <summary><c>standard_normal()</c> of the legacy generator (polar method, second value cached).</summary>
    public double NextGaussian()
    {
        if (cachedGaussian is { } cached)
        {
            cachedGaussian = null;
            return cached;
        }
        double x1, x2, r2;
        do
        {
            x1 = 2.0 * NextDouble() - 1.0;
            x2 = 2.0 * NextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.Sqrt(-2.0 * Math.Log(r2) / r2);
        cachedGaussian = f * x1;
        return f * x2;
    }

    /// <summary><c>normal(mean, scale, count)</c> in C order.</summary>
    public double[] Normal(double mean, double scale, int count)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = mean + scale * NextGaussian();
        return values;
    }

    private void Twist()
    {
        const uint upper = 0x80000000u, lower = 0x7fffffffu, matrix = 0x9908b0dfu;
        for (int i = 0; i < StateSize; i++)
        {
            uint y = (state[i] & upper) | (state[(i + 1) % StateSize] & lower);
            state[i] = state[(i + Shift) % StateSize] ^ (y >> 1) ^ ((y & 1) != 0 ? matrix : 0u);
        }
        position = 0;
    }
}
