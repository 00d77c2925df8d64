namespace SharpEdge.Curvature;

/// <summary>
/// A symmetric product of symmetric operators: the congruence B A B, or the square B² when A is omitted
/// (e.g. H², or (I − ηH)² with B = <see cref="SumOperator"/>([H], [−η], shift: 1)). A bare product AB of two
/// symmetric operators is not symmetric unless they commute, so it is deliberately not offered. One
/// application costs two products of B, plus one of A.
/// </summary>
public sealed class ProductOperator : ILinearOperator
{
    private readonly ILinearOperator outer;
    private readonly ILinearOperator? inner;
    private double[] first = [], second = [];

    public ProductOperator(ILinearOperator outer, ILinearOperator? inner = null)
    {
        ArgumentNullException.ThrowIfNull(outer);
        if (inner is not null && inner.Size != outer.Size)
            throw new ArgumentException($"the inner operator has size {inner.Size}, the outer one {outer.Size}", nameof(inner));
        this.outer = outer;
        this.inner = inner;
    }

    public int Size => outer.Size;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        Multiply(v, 1, result);
    }

    public void ApplyBlock(ReadOnlySpan<double> block, int count, Span<double> result)
    {
        LinearOperator.CheckBlock(this, block, count, result);
        Multiply(block, count, result);
    }

    private void Multiply(ReadOnlySpan<double> block, int count, Span<double> result)
    {
        int length = count * Size;
        if (first.Length < length) first = new double[length];
        var bv = first.AsSpan(0, length);
        outer.ApplyBlock(block, count, bv);
        if (inner is null)
        {
            outer.ApplyBlock(bv, count, result);
            return;
        }
        if (second.Length < length) second = new double[length];
        var abv = second.AsSpan(0, length);
        inner.ApplyBlock(bv, count, abv);
        outer.ApplyBlock(abv, count, result);
    }
}
