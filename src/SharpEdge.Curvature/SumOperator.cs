using System.Numerics.Tensors;

namespace SharpEdge.Curvature;

/// <summary>
/// The linear combination (Σᵢ wᵢ Aᵢ + σ I) v of operators of one size: a weighted sum, a scaling (one term),
/// a shift A + σI (one term of weight 1), or −2ηH + η²M as in the second-moment contraction (spec §7.12).
/// Symmetric when every term is. One application costs one product of each term.
/// </summary>
public sealed class SumOperator : ILinearOperator
{
    private readonly ILinearOperator[] terms;
    private readonly double[] weights;
    private double[] scratch = [];

    /// <param name="terms">At least one operator; all of the same size.</param>
    /// <param name="weights">One finite weight per term; all 1 when omitted.</param>
    /// <param name="shift">σ, the multiple of the identity added.</param>
    public SumOperator(IReadOnlyList<ILinearOperator> terms, IReadOnlyList<double>? weights = null, double shift = 0)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count == 0) throw new ArgumentException("a sum of operators needs at least one term", nameof(terms));
        for (int i = 0; i < terms.Count; i++)
        {
            if (terms[i] is null) throw new ArgumentNullException(nameof(terms), $"term {i} is null");
            if (terms[i].Size != terms[0].Size) throw new ArgumentException($"term {i} has size {terms[i].Size}, term 0 has size {terms[0].Size}", nameof(terms));
        }
        if (weights is not null && weights.Count != terms.Count) throw new ArgumentException($"{weights.Count} weights for {terms.Count} terms", nameof(weights));
        this.weights = weights?.ToArray() ?? Enumerable.Repeat(1.0, terms.Count).ToArray();
        for (int i = 0; i < this.weights.Length; i++)
            if (!double.IsFinite(this.weights[i])) throw new ArgumentException($"weight {i} is {this.weights[i]}", nameof(weights));
        if (!double.IsFinite(shift)) throw new ArgumentOutOfRangeException(nameof(shift), shift, "the shift must be finite");
        this.terms = terms.ToArray();
        Shift = shift;
    }

    public int Size => terms[0].Size;
    public IReadOnlyList<ILinearOperator> Terms => terms;
    public IReadOnlyList<double> Weights => weights;
    public double Shift { get; }

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        Combine(v, 1, result);
    }

    public void ApplyBlock(ReadOnlySpan<double> block, int count, Span<double> result)
    {
        LinearOperator.CheckBlock(this, block, count, result);
        Combine(block, count, result);
    }

    private void Combine(ReadOnlySpan<double> block, int count, Span<double> result)
    {
        int length = count * Size;
        terms[0].ApplyBlock(block, count, result);
        TensorPrimitives.Multiply(result, weights[0], result);
        if (terms.Length > 1)
        {
            if (scratch.Length < length) scratch = new double[length];
            var image = scratch.AsSpan(0, length);
            for (int i = 1; i < terms.Length; i++)
            {
                terms[i].ApplyBlock(block, count, image);
                TensorPrimitives.MultiplyAdd(image, weights[i], result, result);
            }
        }
        if (Shift != 0) TensorPrimitives.MultiplyAdd(block, Shift, result, result);
    }
}
