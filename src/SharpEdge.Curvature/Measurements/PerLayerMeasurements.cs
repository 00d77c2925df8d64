using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Curvature.Measurements;

/// <summary>What the block measurements found for one parameter tensor, in the order they were asked for.</summary>
public sealed record LayerMeasurements(ParameterBlock Block, IReadOnlyList<MeasurementResult> Results);

/// <summary>
/// Layer-wise curvature: every <see cref="IBlockMeasurement"/> of a list (λ_max, top-k, trace) on the Hessian
/// restricted to each parameter tensor in turn, H_bb = P_bᵀ H P_b, in the model's parameter order with its
/// PyTorch names (<c>layers.0.weight</c>, <c>layers.0.bias</c>, … as <c>model info</c> prints them; weight and
/// bias are separate blocks). λ_max(H_bb) ≤ λ_max(H) and Σ_b tr(H_bb) = tr(H) (Cauchy interlacing; the trace is
/// the sum of the diagonal). A block product costs one full-data H·v (on a direction that is zero outside the
/// block), so T tensors cost up to T times the products of the global measurement; every block shares the
/// context's linearization at θ, and λ_max and top-k of one block share one solve.
/// </summary>
public static class PerLayerMeasurements
{
    /// <summary>One block per parameter tensor of <paramref name="layout"/>, named as the tensor.</summary>
    public static IReadOnlyList<ParameterBlock> Blocks(ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return layout.Tensors.Select(t => new ParameterBlock(t.Name, t.Offset, t.Count)).ToArray();
    }

    /// <summary>The registered measurements with a per-layer form (lambda-max, top-k, trace), for messages.</summary>
    public static string Names => string.Join(", ", MeasurementRegistry.All.OfType<IBlockMeasurement>().Select(m => m.Name));

    /// <summary>Whether the list holds at least one measurement with a per-layer form.</summary>
    public static bool Any(IEnumerable<IMeasurement> measurements) => measurements.OfType<IBlockMeasurement>().Any();

    /// <summary>The block measurements of <paramref name="measurements"/> (others are skipped) for every tensor of the model.</summary>
    public static IReadOnlyList<LayerMeasurements> Measure<T>(MeasurementContext<T> context, IEnumerable<IMeasurement> measurements)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(measurements);
        var blockMeasurements = measurements.OfType<IBlockMeasurement>().ToArray();
        if (blockMeasurements.Length == 0)
            throw new ArgumentException($"no measurement with a per-layer form in the list (those with one: {Names})");
        return Blocks(context.Objective.Network.Layout)
            .Select(block => new LayerMeasurements(block, blockMeasurements.Select(m => m.MeasureBlock(context, block)).ToArray()))
            .ToArray();
    }
}
