using System.Numerics;
using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// y = x Wᵀ + b with W of shape [out, in] (PyTorch's nn.Linear). The R-operator follows from the product
/// rule: R{y} = R{x} Wᵀ + x Vᵀ + v_b, R{dW} = R{dy}ᵀ x + dyᵀ R{x}, R{dx} = R{dy} W + dy V.
/// </summary>
public sealed class Linear<T> : Layer<T>, IOuterProductGradient<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Linear(int inFeatures, int outFeatures, bool bias = true)
        : base([inFeatures], [outFeatures])
    {
        if (inFeatures < 1 || outFeatures < 1) throw new ArgumentException($"Linear needs positive sizes, got {inFeatures}→{outFeatures}");
        In = inFeatures;
        Out = outFeatures;
        HasBias = bias;
        ParameterShapes = bias ? [("weight", [Out, In]), ("bias", [Out])] : [("weight", [Out, In])];
    }

    public int In { get; }
    public int Out { get; }
    public bool HasBias { get; }

    public override IReadOnlyList<(string Name, int[] Shape)> ParameterShapes { get; }

    public override string Describe() => $"Linear({In}→{Out}{(HasBias ? "" : ", no bias")})";

    private int WeightCount => In * Out;

    /// <summary>y is written by the forward pass only (the R passes and <see cref="RBackwardDot"/> write R{y}, never read y).</summary>
    public override bool ReadsOutputAfterForward => false;

    public override void Forward(in LayerPass<T> p)
    {
        Gemm.Multiply(false, true, p.Batch, Out, In, T.One, p.X, In, p.Theta[..WeightCount], In, T.Zero, p.Y, Out);
        if (HasBias) AddRowVector(p.Y, p.Theta.Slice(WeightCount, Out), p.Batch);
    }

    /// <summary>An empty DTheta skips the parameter gradient (it is implicit in dy and x, see <see cref="IOuterProductGradient{T}"/>).</summary>
    public override void Backward(in LayerPass<T> p)
    {
        if (!p.DTheta.IsEmpty)
        {
            Gemm.Multiply(true, false, Out, In, p.Batch, T.One, p.DY, Out, p.X, In, T.Zero, p.DTheta[..WeightCount], In);
            if (HasBias) ColumnSums(p.DY, p.DTheta.Slice(WeightCount, Out), p.Batch);
        }
        if (!p.DX.IsEmpty)
            Gemm.Multiply(false, false, p.Batch, In, Out, T.One, p.DY, Out, p.Theta[..WeightCount], In, T.Zero, p.DX, In);
    }

    public override void RForward(in LayerPass<T> p)
    {
        Gemm.Multiply(false, true, p.Batch, Out, In, T.One, p.X, In, p.V[..WeightCount], In, T.Zero, p.RY, Out);
        if (!p.RX.IsEmpty)
            Gemm.Multiply(false, true, p.Batch, Out, In, T.One, p.RX, In, p.Theta[..WeightCount], In, T.One, p.RY, Out);
        if (HasBias) AddRowVector(p.RY, p.V.Slice(WeightCount, Out), p.Batch);
    }

    public override void RBackward(in LayerPass<T> p)
    {
        var rdw = p.RDTheta[..WeightCount];
        Gemm.Multiply(true, false, Out, In, p.Batch, T.One, p.RDY, Out, p.X, In, T.Zero, rdw, In);
        if (!p.RX.IsEmpty)
            Gemm.Multiply(true, false, Out, In, p.Batch, T.One, p.DY, Out, p.RX, In, T.One, rdw, In);
        if (HasBias) ColumnSums(p.RDY, p.RDTheta.Slice(WeightCount, Out), p.Batch);
        if (!p.RDX.IsEmpty)
        {
            Gemm.Multiply(false, false, p.Batch, In, Out, T.One, p.RDY, Out, p.Theta[..WeightCount], In, T.Zero, p.RDX, In);
            Gemm.Multiply(false, false, p.Batch, In, Out, T.One, p.DY, Out, p.V[..WeightCount], In, T.One, p.RDX, In);
        }
    }

    /// <summary>
    /// ⟨V, R{dW}⟩ + ⟨v_b, R{db}⟩ = ⟨R{dy}, x Vᵀ⟩ + ⟨dy, R{x} Vᵀ⟩ + ⟨v_b, Σ_i R{dy}_i⟩: batch-sized products
    /// instead of an [out, in] matrix, and when R{x} = 0 (first layer) x Vᵀ is R{y} − v_b from the R-forward pass,
    /// so no GEMM at all. This makes gᵀ H_B g for small batches (batch sharpness) cost less than a full H·v.
    /// </summary>
    public override double RBackwardDot(in LayerPass<T> p)
    {
        var n = p.Batch * Out;
        var xv = p.RY[..n]; // R{y} is no longer needed once the layers above are done: reuse it
        if (p.RX.IsEmpty)
        {
            if (HasBias) SubtractRowVector(xv, p.V.Slice(WeightCount, Out), p.Batch);
        }
        else
            Gemm.Multiply(false, true, p.Batch, Out, In, T.One, p.X, In, p.V[..WeightCount], In, T.Zero, xv, Out);
        double sum = Dot(p.RDY[..n], xv);
        if (!p.RX.IsEmpty)
        {
            Gemm.Multiply(false, true, p.Batch, Out, In, T.One, p.RX, In, p.V[..WeightCount], In, T.Zero, xv, Out);
            sum += Dot(p.DY[..n], xv);
        }
        if (HasBias)
            for (int i = 0; i < p.Batch; i++) sum += Dot(p.RDY.Slice(i * Out, Out), p.V.Slice(WeightCount, Out));
        if (!p.RDX.IsEmpty)
        {
            Gemm.Multiply(false, false, p.Batch, In, Out, T.One, p.RDY, Out, p.Theta[..WeightCount], In, T.Zero, p.RDX, In);
            Gemm.Multiply(false, false, p.Batch, In, Out, T.One, p.DY, Out, p.V[..WeightCount], In, T.One, p.RDX, In);
        }
        return sum;
    }

    /// <summary>K = x̃ x̃ᵀ, the B×B Gram matrix of the inputs with a column of ones for the bias.</summary>
    private void InputGram(in LayerPass<T> p, Span<T> k)
    {
        int b = p.Batch;
        Gemm.Multiply(false, true, b, b, In, T.One, p.X, In, p.X, In, T.Zero, k, b);
        if (HasBias) TensorPrimitives.Add(k[..(b * b)], T.One, k[..(b * b)]);
    }

    public double GradientNormSquared(in LayerPass<T> p)
    {
        int b = p.Batch;
        var k = p.Scratch[..(b * b)];
        var d = p.Scratch.Slice(b * b, b * b);
        InputGram(p, k);
        Gemm.Multiply(false, true, b, b, Out, T.One, p.DY, Out, p.DY, Out, T.Zero, d, b);
        return Dot(k, d);
    }

    public void RForwardAlongGradient(in LayerPass<T> p)
    {
        int b = p.Batch;
        var k = p.Scratch[..(b * b)];
        InputGram(p, k);
        Gemm.Multiply(false, false, b, Out, b, T.One, k, b, p.DY, Out, T.Zero, p.RY, Out);
        if (!p.RX.IsEmpty)
            Gemm.Multiply(false, true, b, Out, In, T.One, p.RX, In, p.Theta[..WeightCount], In, T.One, p.RY, Out);
    }

    /// <summary>
    /// gᵀR{dθ} = ⟨dy R{dy}ᵀ, K⟩ + ⟨dy dyᵀ, x R{x}ᵀ⟩ and R{dx} = R{dy} W + (dy dyᵀ) x, with V = dyᵀx and v_b = dyᵀ1.
    /// </summary>
    public double RBackwardDotAlongGradient(in LayerPass<T> p)
    {
        int b = p.Batch;
        var k = p.Scratch[..(b * b)];
        var e = p.Scratch.Slice(b * b, b * b);
        var d = p.Scratch.Slice(2 * b * b, b * b);
        InputGram(p, k);
        Gemm.Multiply(false, true, b, b, Out, T.One, p.DY, Out, p.RDY, Out, T.Zero, e, b);
        double sum = Dot(e, k);
        Gemm.Multiply(false, true, b, b, Out, T.One, p.DY, Out, p.DY, Out, T.Zero, d, b);
        if (!p.RX.IsEmpty)
        {
            Gemm.Multiply(false, true, b, b, In, T.One, p.X, In, p.RX, In, T.Zero, e, b);
            sum += Dot(d, e);
        }
        if (!p.RDX.IsEmpty)
        {
            Gemm.Multiply(false, false, b, In, Out, T.One, p.RDY, Out, p.Theta[..WeightCount], In, T.Zero, p.RDX, In);
            Gemm.Multiply(false, false, b, In, b, T.One, d, b, p.X, In, T.One, p.RDX, In);
        }
        return sum;
    }

    private static double Dot(ReadOnlySpan<T> a, ReadOnlySpan<T> b) => double.CreateTruncating(TensorPrimitives.Dot(a, b));

    private void SubtractRowVector(Span<T> rows, ReadOnlySpan<T> vector, int batch)
    {
        for (int i = 0; i < batch; i++)
        {
            var row = rows.Slice(i * Out, Out);
            TensorPrimitives.Subtract(row, vector, row);
        }
    }

    /// <summary>Row i of the result is dy_i ⊗ x_i (weight) followed by dy_i (bias).</summary>
    public override void PerExampleGradients(in LayerPass<T> p, Span<T> rows, int stride, int column)
    {
        for (int i = 0; i < p.Batch; i++)
        {
            var row = rows.Slice(i * stride + column, ParameterCount);
            var dy = p.DY.Slice(i * Out, Out);
            var x = p.X.Slice(i * In, In);
            for (int o = 0; o < Out; o++) TensorPrimitives.Multiply(x, dy[o], row.Slice(o * In, In));
            if (HasBias) dy.CopyTo(row.Slice(WeightCount, Out));
        }
    }

    private void AddRowVector(Span<T> rows, ReadOnlySpan<T> vector, int batch)
    {
        for (int i = 0; i < batch; i++)
        {
            var row = rows.Slice(i * Out, Out);
            TensorPrimitives.Add(row, vector, row);
        }
    }

    private void ColumnSums(ReadOnlySpan<T> rows, Span<T> sums, int batch)
    {
        sums.Clear();
        for (int i = 0; i < batch; i++) TensorPrimitives.Add(sums, rows.Slice(i * Out, Out), sums);
    }
}
