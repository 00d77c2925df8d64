namespace SharpEdge.Curvature;

/// <summary>A named index range [Offset, Offset + Count) of the parameter vector (one layer's weights, say).</summary>
public sealed record ParameterBlock(string Name, int Offset, int Count);

/// <summary>
/// The restriction P_bᵀ A P_b of an operator to a block of coordinates, with P_b the n×c matrix that embeds ℝᶜ
/// at [offset, offset + c): the diagonal block of A for one parameter tensor (e.g. a layer-wise Hessian whose
/// λ_max or trace is wanted). Symmetric when A is; one application costs one product of A (on a vector that is
/// zero outside the block).
/// </summary>
public sealed class RestrictedOperator : ILinearOperator
{
    private readonly ILinearOperator full;
    private readonly Buffers buffers;

    public RestrictedOperator(ILinearOperator full, ParameterBlock block) : this(full, block, new Buffers()) { }

    public RestrictedOperator(ILinearOperator full, int offset, int count) : this(full, new ParameterBlock($"[{offset}, {(long)offset + count})", offset, count)) { }

    private RestrictedOperator(ILinearOperator full, ParameterBlock block, Buffers buffers)
    {
        ArgumentNullException.ThrowIfNull(full);
        ArgumentNullException.ThrowIfNull(block);
        Check(full, block);
        this.full = full;
        this.buffers = buffers;
        Block = block;
    }

    public ParameterBlock Block { get; }
    public int Size => Block.Count;

    /// <summary>
    /// One restriction per block, in order. They share two full-size scratch vectors (so they must be applied
    /// one at a time); blocks may not repeat a name.
    /// </summary>
    public static IReadOnlyList<RestrictedOperator> ForBlocks(ILinearOperator full, IEnumerable<ParameterBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(full);
        ArgumentNullException.ThrowIfNull(blocks);
        var shared = new Buffers();
        var names = new HashSet<string>();
        var result = new List<RestrictedOperator>();
        foreach (var block in blocks)
        {
            ArgumentNullException.ThrowIfNull(block, nameof(blocks));
            if (!names.Add(block.Name)) throw new ArgumentException($"parameter block '{block.Name}' appears twice", nameof(blocks));
            result.Add(new RestrictedOperator(full, block, shared));
        }
        if (result.Count == 0) throw new ArgumentException("no parameter blocks given", nameof(blocks));
        return result;
    }

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        Restrict(v, 1, result);
    }

    public void ApplyBlock(ReadOnlySpan<double> block, int count, Span<double> result)
    {
        LinearOperator.CheckBlock(this, block, count, result);
        Restrict(block, count, result);
    }

    private void Restrict(ReadOnlySpan<double> block, int count, Span<double> result)
    {
        int n = full.Size, c = Block.Count, offset = Block.Offset;
        long length = (long)count * n;
        if (buffers.Embedded.Length < length)
        {
            buffers.Embedded = new double[length];
            buffers.Image = new double[length];
        }
        var embedded = buffers.Embedded.AsSpan(0, (int)length);
        var image = buffers.Image.AsSpan(0, (int)length);
        embedded.Clear(); // the buffer may be shared with another block's restriction
        for (int j = 0; j < count; j++) block.Slice(j * c, c).CopyTo(embedded.Slice(j * n + offset, c));
        full.ApplyBlock(embedded, count, image);
        for (int j = 0; j < count; j++) image.Slice(j * n + offset, c).CopyTo(result.Slice(j * c, c));
    }

    private static void Check(ILinearOperator full, ParameterBlock block)
    {
        if (string.IsNullOrEmpty(block.Name)) throw new ArgumentException("a parameter block needs a name", nameof(block));
        if (block.Count < 1) throw new ArgumentException($"parameter block '{block.Name}' has {block.Count} coordinates; it needs at least one", nameof(block));
        if (block.Offset < 0 || (long)block.Offset + block.Count > full.Size)
            throw new ArgumentException($"parameter block '{block.Name}' = [{block.Offset}, {(long)block.Offset + block.Count}) does not lie within the {full.Size} coordinates of {LinearOperator.Describe(full)}", nameof(block));
    }

    private sealed class Buffers
    {
        public double[] Embedded = [];
        public double[] Image = [];
    }
}
