namespace SharpEdge.Curvature;

/// <summary>
/// The output of <see cref="StochasticLanczosQuadrature"/>: for each probe p, quadrature nodes θ_pj and
/// weights τ_pj (Σⱼ τ_pj = 1). The spectral measure (1/n) Σᵢ δ(t − λᵢ) is estimated by
/// (1/P) Σ_p Σⱼ τ_pj δ(t − θ_pj); traces by tr f(A) ≈ (n/P) Σ_p Σⱼ τ_pj f(θ_pj), with the standard error
/// of the mean over the P independent probes.
/// </summary>
public sealed class SpectralDensity
{
    internal SpectralDensity(int size, double[][] nodes, double[][] weights, int products, double seconds)
    {
        Size = size;
        Nodes = nodes;
        Weights = weights;
        Products = products;
        Seconds = seconds;
    }

    /// <summary>n, the dimension of the operator.</summary>
    public int Size { get; }
    public IReadOnlyList<double[]> Nodes { get; }
    public IReadOnlyList<double[]> Weights { get; }
    public int Products { get; }
    public double Seconds { get; }

    /// <summary>tr f(A), averaged over probes, with its standard error across probes.</summary>
    public Estimate TraceOf(Func<double, double> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var moments = new RunningMoments();
        for (int p = 0; p < Nodes.Count; p++)
        {
            double sum = 0;
            for (int j = 0; j < Nodes[p].Length; j++) sum += Weights[p][j] * f(Nodes[p][j]);
            moments.Add(Size * sum);
        }
        return new Estimate(moments.Mean, moments.StandardError, moments.Count, Products, Seconds);
    }

    /// <summary>tr A.</summary>
    public Estimate Trace() => TraceOf(x => x);

    /// <summary>The k-th moment of the spectral density, (1/n) tr Aᵏ.</summary>
    public Estimate Moment(int k)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "moments are of non-negative order");
        var trace = TraceOf(x => Math.Pow(x, k));
        return trace with { Value = trace.Value / Size, StandardError = trace.StandardError / Size };
    }

    /// <summary>
    /// The density broadened by a Gaussian kernel of standard deviation <paramref name="sigma"/>,
    /// φ(t) = (1/P) Σ_p Σⱼ τ_pj N(t; θ_pj, σ²), at each grid point; it integrates to 1 over ℝ.
    /// </summary>
    public double[] Density(ReadOnlySpan<double> grid, double sigma)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "the broadening width must be positive and finite");
        var density = new double[grid.Length];
        double norm = 1 / (sigma * Math.Sqrt(2 * Math.PI) * Nodes.Count);
        for (int g = 0; g < grid.Length; g++)
        {
            double sum = 0;
            for (int p = 0; p < Nodes.Count; p++)
                for (int j = 0; j < Nodes[p].Length; j++)
                {
                    double u = (grid[g] - Nodes[p][j]) / sigma;
                    sum += Weights[p][j] * Math.Exp(-0.5 * u * u);
                }
            density[g] = sum * norm;
        }
        return density;
    }

    /// <summary>
    /// <paramref name="points"/> equally spaced points from the smallest node − <paramref name="padding"/> to
    /// the largest + <paramref name="padding"/>.
    /// </summary>
    public double[] Grid(int points, double padding)
    {
        if (points < 2) throw new ArgumentOutOfRangeException(nameof(points), points, "a grid needs at least two points");
        if (!(padding >= 0) || !double.IsFinite(padding)) throw new ArgumentOutOfRangeException(nameof(padding), padding, "the padding must be finite and non-negative");
        double low = Nodes.Min(p => p.Min()) - padding, high = Nodes.Max(p => p.Max()) + padding;
        var grid = new double[points];
        for (int i = 0; i < points; i++) grid[i] = low + (high - low) * i / (points - 1);
        return grid;
    }
}
