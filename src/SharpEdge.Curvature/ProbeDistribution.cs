using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// The distribution of the random probe vectors z of trace estimators, with E[zzᵀ] = I in both cases.
/// Var(zᵀAz) is 2(‖A‖_F² − Σᵢ aᵢᵢ²) for Rademacher and 2‖A‖_F² for Gaussian probes (Hutchinson 1989;
/// Avron and Toledo 2011), so Rademacher is never worse.
/// </summary>
public enum ProbeDistribution
{
    /// <summary>Independent ±1 entries (the default).</summary>
    Rademacher,
    /// <summary>Independent standard normal entries.</summary>
    Gaussian,
}

internal static class Probes
{
    public static void Fill(this ProbeDistribution distribution, Rng rng, Span<double> z)
    {
        switch (distribution)
        {
            case ProbeDistribution.Rademacher:
                for (int i = 0; i < z.Length; i += 64)
                {
                    ulong bits = rng.NextUInt64();
                    int end = Math.Min(64, z.Length - i);
                    for (int b = 0; b < end; b++) z[i + b] = ((bits >> b) & 1) == 0 ? 1.0 : -1.0;
                }
                break;
            case ProbeDistribution.Gaussian:
                rng.FillNormal(z);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "unknown probe distribution");
        }
    }
}
