using System.Diagnostics;
using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// Stochastic Lanczos quadrature (Golub and Meurant 1994; Ubaru, Chen and Saad, SIAM J. Matrix Anal. Appl. 38,
/// 2017; the spectral density of PyHessian, Yao et al. 2020). For a unit probe v, m Lanczos steps from v give
/// T_m = V Θ Vᵀ, and vᵀ f(A) v ≈ Σⱼ τⱼ f(θⱼ) with nodes θⱼ and weights τⱼ = V₁ⱼ² (the m-point Gauss quadrature
/// for the spectral measure of A seen from v, exact for polynomials of degree ≤ 2m − 1). With v = z/√n
/// (Rademacher z) or v = z/‖z‖ (Gaussian z), n·E[vᵀ f(A) v] = tr f(A), so averaging over probes estimates
/// tr f(A) and the spectral density (1/n) Σᵢ δ(t − λᵢ). <see cref="Steps"/>·<see cref="Probes"/> products.
/// </summary>
public sealed class StochasticLanczosQuadrature
{
    /// <summary>Lanczos steps per probe (quadrature nodes); fewer when the Krylov space is invariant sooner.</summary>
    public int Steps { get; init; } = 30;
    /// <summary>Independent probes (at least 2, for a standard error).</summary>
    public int Probes { get; init; } = 10;
    public ProbeDistribution Distribution { get; init; } = ProbeDistribution.Rademacher;
    public ulong Seed { get; init; }

    public SpectralDensity Run(ILinearOperator op)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "at least one Lanczos step per probe is needed");
        if (Probes < 2) throw new ArgumentOutOfRangeException(nameof(Probes), Probes, "at least two probes are needed for a standard error");
        if (!Enum.IsDefined(Distribution)) throw new ArgumentOutOfRangeException(nameof(Distribution), Distribution, "unknown probe distribution");
        var clock = Stopwatch.StartNew();
        int n = op.Size;
        var rng = new Rng(Seed);
        var z = new double[n];
        var nodes = new double[Probes][];
        var weights = new double[Probes][];
        int products = 0;
        for (int p = 0; p < Probes; p++)
        {
            Distribution.Fill(rng, z);
            var lanczos = new LanczosRecurrence(op, z); // normalises: v = z/‖z‖ (= z/√n for Rademacher)
            for (int step = 0; step < Math.Min(Steps, n); step++)
            {
                lanczos.Step();
                products++;
                if (step + 1 < Steps && !lanczos.Advance(null)) break; // invariant: the quadrature is exact
            }
            int m = lanczos.Steps;
            var d = new double[m];
            var off = new double[m - 1];
            for (int i = 0; i < m; i++) d[i] = lanczos.Alphas[i];
            for (int i = 0; i < m - 1; i++) off[i] = lanczos.Betas[i];
            var first = new double[m];
            first[0] = 1;
            TridiagonalEigen.Decompose(d, off, first, 1);
            TensorPrimitives.Multiply(first, first, first);
            nodes[p] = d;
            weights[p] = first;
        }
        return new SpectralDensity(n, nodes, weights, products, clock.Elapsed.TotalSeconds);
    }
}
