using SharpEdge.Numerics;

namespace SharpEdge.Training;

/// <summary>
/// The sparse Johnson–Lindenstrauss matrix P (m × d) of HEAD's trajectory projection (eoss_spec §7.17,
/// <c>utils/trajectory.py</c>): column j has <see cref="NonZeros"/> = 4 entries ±1/√4 = ±1/2, in rows
/// (base_j + stride_j·t) mod m for t = 0..3, with base_j uniform in [0, m), stride_j uniform among the integers in
/// [1, m) coprime to m (so the four rows differ) and independent uniform signs. Every column has unit norm, so
/// E‖Px‖² = ‖x‖². Drawn from <see cref="Rng"/>(seed) (strides, then bases, then signs): the same seed gives the same P
/// on every machine, but not the original's P, which comes from torch's generator (and differs between its CPU and GPU).
/// </summary>
public sealed class SparseRandomProjection
{
    public const int DefaultDimension = 5000;
    public const ulong DefaultSeed = 1337;
    public const int NonZeros = 4;
    private const double Value = 0.5;   // 1/√NonZeros

    private readonly int[] bases;
    private readonly int[] strides;
    private readonly byte[] signs;   // bit t of byte j: entry t of column j is negative

    public SparseRandomProjection(int parameterCount, int dimension = DefaultDimension, ulong seed = DefaultSeed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parameterCount, 1);
        if (dimension < NonZeros) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"the projection needs at least {NonZeros} rows");
        ParameterCount = parameterCount;
        Dimension = dimension;
        Seed = seed;
        var coprimes = Enumerable.Range(1, dimension - 1).Where(s => Gcd(s, dimension) == 1).ToArray();
        var rng = new Rng(seed);
        strides = new int[parameterCount];
        bases = new int[parameterCount];
        signs = new byte[parameterCount];
        for (int j = 0; j < parameterCount; j++) strides[j] = coprimes[rng.NextInt(coprimes.Length)];
        for (int j = 0; j < parameterCount; j++) bases[j] = rng.NextInt(dimension);
        for (int j = 0; j < parameterCount; j++) signs[j] = (byte)(rng.NextUInt64() & 0xF);
    }

    public int ParameterCount { get; }
    /// <summary>m, the number of rows (5000 in HEAD).</summary>
    public int Dimension { get; }
    public ulong Seed { get; }

    /// <summary>The row of the t-th non-zero of column j.</summary>
    public int Row(int parameter, int t) => (int)((bases[parameter] + (long)strides[parameter] * t) % Dimension);

    /// <summary>The t-th non-zero of column j, ±1/2.</summary>
    public double Entry(int parameter, int t) => (signs[parameter] >> t & 1) != 0 ? -Value : Value;

    /// <summary>y = Pθ, summed in float64 in parameter order (one thread: the same bits on every run).</summary>
    public void Project(ReadOnlySpan<float> theta, Span<double> y)
    {
        if (theta.Length != ParameterCount) throw new ArgumentException($"θ has {theta.Length} values, the projection {ParameterCount} columns");
        if (y.Length != Dimension) throw new ArgumentException($"Pθ has {Dimension} values, got room for {y.Length}");
        y.Clear();
        for (int j = 0; j < theta.Length; j++)
        {
            double x = theta[j];
            if (x == 0) continue;
            int row = bases[j], stride = strides[j], s = signs[j];
            for (int t = 0; t < NonZeros; t++)
            {
                y[row] += (s >> t & 1) != 0 ? -Value * x : Value * x;
                row += stride;
                if (row >= Dimension) row -= Dimension;
            }
        }
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
