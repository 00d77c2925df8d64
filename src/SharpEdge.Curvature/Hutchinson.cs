using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// Hutchinson's trace estimator (Hutchinson 1989): tr(A) = E[zᵀAz] for probes with E[zzᵀ] = I, estimated by
/// the sample mean over independent probes with standard error √(s²/n), stopping by <see cref="Stopping"/>
/// (spec §7.7: at least 20, at most 256 probes, 1 % relative SE). One product per probe.
/// </summary>
public sealed class Hutchinson
{
    public ProbeDistribution Probes { get; init; } = ProbeDistribution.Rademacher;
    public StoppingRule Stopping { get; init; } = new(20, 256, 0.01);
    public ulong Seed { get; init; }

    public Estimate Trace(ILinearOperator op)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (!Enum.IsDefined(Probes)) throw new ArgumentOutOfRangeException(nameof(Probes), Probes, "unknown probe distribution");
        var rng = new Rng(Seed);
        var z = new double[op.Size];
        var az = new double[op.Size];
        return MonteCarlo.Mean(_ =>
        {
            Probes.Fill(rng, z);
            op.Apply(z, az);
            return TensorPrimitives.Dot(z, az);
        }, Stopping, productsPerSample: 1);
    }
}
