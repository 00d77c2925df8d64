using System.Numerics.Tensors;

namespace SharpEdge.Curvature;

/// <summary>
/// The empirical expectation (1/K) Σₖ Aₖ v over a list of operators of one size: e.g. Ê_B[H_B²] with
/// Aₖ = H_{Bₖ}² (<see cref="ProductOperator"/>) over K sampled batches (spec §7.12). Symmetric when every Aₖ
/// is. One application costs one product of each Aₖ.
/// </summary>
public sealed class MeanOperator : ILinearOperator
{
    private readonly ILinearOperator[] samples;
    private double[] scratch = [];

    public MeanOperator(IReadOnlyList<ILinearOperator> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("a mean over operators needs at least one operator", nameof(samples));
        for (int i = 0; i < samples.Count; i++)
        {
            if (samples[i] is null) throw new ArgumentNullException(nameof(samples), $"operator {i} is null");
            if (samples[i].Size != samples[0].Size) throw new ArgumentException($"operator {i} has size {samples[i].Size}, operator 0 has size {samples[0].Size}", nameof(samples));
        }
        this.samples = samples.ToArray();
    }

    public int Size => samples[0].Size;
    public IReadOnlyList<ILinearOperator> Samples => samples;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        Average(v, 1, result);
    }

    public void ApplyBlock(ReadOnlySpan<double> block, int count, Span<double> result)
    {
        LinearOperator.CheckBlock(this, block, count, result);
        Average(block, count, result);
    }

    private void Average(ReadOnlySpan<double> block, int count, Span<double> result)
    {
        int length = count * Size;
        samples[0].ApplyBlock(block, count, result);
        if (samples.Length > 1)
        {
            if (scratch.Length < length) scratch = new double[length];
            var image = scratch.AsSpan(0, length);
            for (int k = 1; k < samples.Length; k++)
            {
                samples[k].ApplyBlock(block, count, image);
                TensorPrimitives.Add(result, image, result);
            }
        }
        TensorPrimitives.Multiply(result, 1.0 / samples.Length, result);
    }
}
