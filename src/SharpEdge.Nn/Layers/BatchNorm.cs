using System.Numerics;
using System.Numerics.Tensors;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// PyTorch's nn.BatchNorm1d ([C] or [C, L] samples) and nn.BatchNorm2d ([C, H, W]), affine, momentum 0.1,
/// ε = 1e-5: y = γ x̂ + β per channel, x̂ = (x − μ)/σ, σ = √(var + ε).
/// <para>
/// Training mode (batch statistics): μ and var (biased) over the m = N·positions values of each channel of the
/// batch, differentiated through. With a = mean(dy), b = mean(dy x̂), ρ = mean(x̂ R{x}) = R{σ}, r̄ = mean(R{x}):
/// dx = (γ/σ)(dy − a − x̂ b), dγ = m b, dβ = m a;
/// R{x̂} = (R{x} − r̄ − x̂ ρ)/σ, R{y} = γ R{x̂} + v_γ x̂ + v_β;
/// R{dx} = R{γ/σ}(dy − a − x̂ b) + (γ/σ)(R{dy} − R{a} − R{x̂} b − x̂ R{b}) with R{γ/σ} = v_γ/σ − γρ/σ²,
/// R{a} = mean(R{dy}), R{b} = mean(R{dy} x̂ + dy R{x̂}); R{dγ} = m R{b}, R{dβ} = m R{a}.
/// A training step's forward pass also updates the running statistics (running_var with the unbiased variance).
/// </para>
/// <para>
/// Evaluation mode (running statistics): a fixed per-channel affine map, y = γ(x − μ_run)/σ_run + β.
/// </para>
/// </summary>
public sealed class BatchNorm<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public const double Epsilon = 1e-5;
    public const double Momentum = 0.1;

    public BatchNorm(int[] shape) : base(Check(shape), shape)
    {
        Channels = shape[0];
        Positions = InputSize / Channels;
        ParameterShapes = [("weight", [Channels]), ("bias", [Channels])];
        BufferShapes = [("running_mean", [Channels]), ("running_var", [Channels]), ("num_batches_tracked", [])];
    }

    private static int[] Check(int[] shape) => shape.Length is >= 1 and <= 3 && shape.All(s => s > 0) ? shape
        : throw new ArgumentException($"BatchNorm takes [C], [C, L] or [C, H, W] samples, got [{string.Join(", ", shape)}]");

    public int Channels { get; }
    /// <summary>Values per channel and sample (H·W for BatchNorm2d).</summary>
    public int Positions { get; }

    public override IReadOnlyList<(string Name, int[] Shape)> ParameterShapes { get; }
    public override IReadOnlyList<(string Name, int[] Shape)> BufferShapes { get; }
    public override bool UsesBatchStatistics => true;

    public override string Describe() => $"BatchNorm{(InputShape.Length == 3 ? "2d" : "1d")}({Channels})";

    public override void InitializeBuffers(Span<T> buffers)
    {
        buffers[..Channels].Clear();
        buffers.Slice(Channels, Channels).Fill(T.One);
        buffers[2 * Channels] = T.Zero;
    }

    // State per channel: μ, 1/σ (forward), r̄, ρ (R-forward).
    public override long StateSize(int capacity) => 4L * Channels;

    private ReadOnlySpan<T> Row(ReadOnlySpan<T> data, int n, int c) => data.Slice((n * Channels + c) * Positions, Positions);
    private Span<T> Row(Span<T> data, int n, int c) => data.Slice((n * Channels + c) * Positions, Positions);

    public override void Forward(in LayerPass<T> p)
    {
        var mean = p.State[..Channels];
        var invStd = p.State.Slice(Channels, Channels);
        ReadOnlySpan<T> gamma = p.Theta[..Channels], beta = p.Theta.Slice(Channels, Channels);
        long m = (long)p.Batch * Positions;
        if (p.UseRunningStatistics)
        {
            for (int c = 0; c < Channels; c++)
            {
                mean[c] = p.Buffers[c];
                invStd[c] = T.CreateTruncating(1.0 / Math.Sqrt(double.CreateTruncating(p.Buffers[Channels + c]) + Epsilon));
            }
        }
        else
        {
            if (m < 2) throw new InvalidOperationException($"{Describe()}: batch statistics need more than one value per channel, got {m} (use running statistics, --bn frozen)");
            for (int c = 0; c < Channels; c++)
            {
                double sum = 0;
                for (int n = 0; n < p.Batch; n++) sum += double.CreateTruncating(TensorPrimitives.Sum(Row(p.X, n, c)));
                var mu = T.CreateTruncating(sum / m);
                double squares = 0;
                for (int n = 0; n < p.Batch; n++) squares += CenteredDot(Row(p.X, n, c), Row(p.X, n, c), mu, mu);
                var variance = squares / m;
                mean[c] = mu;
                invStd[c] = T.CreateTruncating(1.0 / Math.Sqrt(variance + Epsilon));
                if (p.UpdateRunningStatistics)
                {
                    p.Buffers[c] = T.CreateTruncating((1 - Momentum) * double.CreateTruncating(p.Buffers[c]) + Momentum * sum / m);
                    p.Buffers[Channels + c] = T.CreateTruncating((1 - Momentum) * double.CreateTruncating(p.Buffers[Channels + c]) + Momentum * squares / (m - 1));
                }
            }
            if (p.UpdateRunningStatistics) p.Buffers[2 * Channels] += T.One;
        }
        for (int c = 0; c < Channels; c++)
        {
            // y = g x + (β − g μ) with g = γ/σ
            var g = gamma[c] * invStd[c];
            var shift = beta[c] - g * mean[c];
            for (int n = 0; n < p.Batch; n++) Affine(Row(p.X, n, c), g, shift, Row(p.Y, n, c));
        }
    }

    public override void Backward(in LayerPass<T> p)
    {
        ReadOnlySpan<T> mean = p.State[..Channels], invStd = p.State.Slice(Channels, Channels), gamma = p.Theta[..Channels];
        double m = (double)p.Batch * Positions;
        for (int c = 0; c < Channels; c++)
        {
            var (sumDy, sumDyCentered) = Sums(p, p.DY, c, mean[c]);
            var g = gamma[c] * invStd[c];
            double s = double.CreateTruncating(invStd[c]);
            if (!p.DTheta.IsEmpty)
            {
                p.DTheta[c] = T.CreateTruncating(sumDyCentered * s);
                p.DTheta[Channels + c] = T.CreateTruncating(sumDy);
            }
            if (p.DX.IsEmpty) continue;
            if (p.UseRunningStatistics)
            {
                for (int n = 0; n < p.Batch; n++) TensorPrimitives.Multiply(Row(p.DY, n, c), g, Row(p.DX, n, c));
                continue;
            }
            // dx = g (dy − a − x̂ b) = g dy + k (x − μ) − g a, with a = Σdy/m, b = Σ dy x̂/m, k = −g b/σ
            double a = sumDy / m, b = sumDyCentered * s / m;
            var k = T.CreateTruncating(-double.CreateTruncating(g) * b * s);
            var constant = T.CreateTruncating(-double.CreateTruncating(g) * a) - k * mean[c];
            for (int n = 0; n < p.Batch; n++)
            {
                var dx = Row(p.DX, n, c);
                TensorPrimitives.Multiply(Row(p.DY, n, c), g, dx);
                TensorPrimitives.MultiplyAdd(Row(p.X, n, c), k, dx, dx);
                TensorPrimitives.Add(dx, constant, dx);
            }
        }
    }

    public override void RForward(in LayerPass<T> p)
    {
        ReadOnlySpan<T> mean = p.State[..Channels], invStd = p.State.Slice(Channels, Channels), gamma = p.Theta[..Channels];
        ReadOnlySpan<T> vGamma = p.V[..Channels], vBeta = p.V.Slice(Channels, Channels);
        var rMean = p.State.Slice(2 * Channels, Channels);
        var rho = p.State.Slice(3 * Channels, Channels);
        double m = (double)p.Batch * Positions;
        for (int c = 0; c < Channels; c++)
        {
            double s = double.CreateTruncating(invStd[c]);
            var g = gamma[c] * invStd[c];
            double rBar = 0, rh = 0;
            if (!p.RX.IsEmpty && !p.UseRunningStatistics)
            {
                double sumR = 0, sumRCentered = 0;
                for (int n = 0; n < p.Batch; n++)
                {
                    sumR += double.CreateTruncating(TensorPrimitives.Sum(Row(p.RX, n, c)));
                    sumRCentered += CenteredDot(Row(p.RX, n, c), Row(p.X, n, c), T.Zero, mean[c]);
                }
                rBar = sumR / m;
                rh = sumRCentered * s / m;
            }
            rMean[c] = T.CreateTruncating(rBar);
            rho[c] = T.CreateTruncating(rh);
            // R{y} = g R{x} + kx (x − μ) + constant, kx = v_γ/σ − γρ/σ², constant = v_β − g r̄
            var kx = T.CreateTruncating(double.CreateTruncating(vGamma[c]) * s - double.CreateTruncating(gamma[c]) * rh * s * s);
            var constant = vBeta[c] - T.CreateTruncating(double.CreateTruncating(g) * rBar) - kx * mean[c];
            for (int n = 0; n < p.Batch; n++)
            {
                var ry = Row(p.RY, n, c);
                Affine(Row(p.X, n, c), kx, constant, ry);
                if (!p.RX.IsEmpty) TensorPrimitives.MultiplyAdd(Row(p.RX, n, c), g, ry, ry);
            }
        }
    }

    public override void RBackward(in LayerPass<T> p)
    {
        ReadOnlySpan<T> mean = p.State[..Channels], invStd = p.State.Slice(Channels, Channels), gamma = p.Theta[..Channels];
        ReadOnlySpan<T> rMean = p.State.Slice(2 * Channels, Channels), rho = p.State.Slice(3 * Channels, Channels);
        ReadOnlySpan<T> vGamma = p.V[..Channels];
        double m = (double)p.Batch * Positions;
        bool hasRx = !p.RX.IsEmpty;
        for (int c = 0; c < Channels; c++)
        {
            double s = double.CreateTruncating(invStd[c]), gm = double.CreateTruncating(gamma[c]), vg = double.CreateTruncating(vGamma[c]);
            double g = gm * s;
            var (sumDy, sumDyCentered) = Sums(p, p.DY, c, mean[c]);
            var (sumRdy, sumRdyCentered) = Sums(p, p.RDY, c, mean[c]);
            double sumDyRx = 0;
            if (hasRx)
                for (int n = 0; n < p.Batch; n++) sumDyRx += double.CreateTruncating(TensorPrimitives.Dot(Row(p.DY, n, c), Row(p.RX, n, c)));
            if (p.UseRunningStatistics)
            {
                // y = g x + const: R{dγ} = Σ (R{dy} x̂ + dy R{x}/σ), R{dβ} = Σ R{dy}, R{dx} = g R{dy} + (v_γ/σ) dy
                if (!p.RDTheta.IsEmpty)
                {
                    p.RDTheta[c] = T.CreateTruncating(sumRdyCentered * s + sumDyRx * s);
                    p.RDTheta[Channels + c] = T.CreateTruncating(sumRdy);
                }
                if (p.RDX.IsEmpty) continue;
                for (int n = 0; n < p.Batch; n++)
                {
                    var rdx = Row(p.RDX, n, c);
                    TensorPrimitives.Multiply(Row(p.RDY, n, c), T.CreateTruncating(g), rdx);
                    TensorPrimitives.MultiplyAdd(Row(p.DY, n, c), T.CreateTruncating(vg * s), rdx, rdx);
                }
                continue;
            }
            double rBar = double.CreateTruncating(rMean[c]), rh = double.CreateTruncating(rho[c]);
            double a = sumDy / m, b = sumDyCentered * s / m;
            double ra = sumRdy / m;
            // R{b} = mean(R{dy} x̂ + dy R{x̂}), R{x̂} = (R{x} − r̄)/σ − (ρ/σ²)(x − μ)
            double rb = (sumRdyCentered * s + (sumDyRx - rBar * sumDy) * s - rh * s * s * sumDyCentered) / m;
            if (!p.RDTheta.IsEmpty)
            {
                p.RDTheta[c] = T.CreateTruncating(m * rb);
                p.RDTheta[Channels + c] = T.CreateTruncating(sumRdy);
            }
            if (p.RDX.IsEmpty) continue;
            double rg = vg * s - gm * rh * s * s;
            // R{dx} = R{g} dy + g R{dy} + cx (x − μ) + crx R{x} + constant
            double cx = -rg * b * s + g * b * s * s * rh - g * rb * s;
            double crx = -g * b * s;
            double constant = -rg * a - g * ra + g * b * s * rBar;
            var kx = T.CreateTruncating(cx);
            var shift = T.CreateTruncating(constant) - kx * mean[c];
            for (int n = 0; n < p.Batch; n++)
            {
                var rdx = Row(p.RDX, n, c);
                Affine(Row(p.X, n, c), kx, shift, rdx);
                TensorPrimitives.MultiplyAdd(Row(p.DY, n, c), T.CreateTruncating(rg), rdx, rdx);
                TensorPrimitives.MultiplyAdd(Row(p.RDY, n, c), T.CreateTruncating(g), rdx, rdx);
                if (hasRx) TensorPrimitives.MultiplyAdd(Row(p.RX, n, c), T.CreateTruncating(crx), rdx, rdx);
            }
        }
    }

    /// <summary>Σ d and Σ d·(x − μ) over channel <paramref name="c"/> of the batch, in float64.</summary>
    private (double Sum, double Centered) Sums(in LayerPass<T> p, ReadOnlySpan<T> d, int c, T mu)
    {
        double sum = 0, centered = 0;
        for (int n = 0; n < p.Batch; n++)
        {
            sum += double.CreateTruncating(TensorPrimitives.Sum(Row(d, n, c)));
            centered += CenteredDot(Row(d, n, c), Row(p.X, n, c), T.Zero, mu);
        }
        return (sum, centered);
    }

    /// <summary>Σ (a − α)(b − β), vectorised, accumulated in float64 per vector lane block.</summary>
    private static double CenteredDot(ReadOnlySpan<T> a, ReadOnlySpan<T> b, T alpha, T beta)
    {
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<T>.Count)
        {
            var acc = Vector<T>.Zero;
            var va = new Vector<T>(alpha);
            var vb = new Vector<T>(beta);
            for (; i <= a.Length - Vector<T>.Count; i += Vector<T>.Count)
                acc += (new Vector<T>(a[i..]) - va) * (new Vector<T>(b[i..]) - vb);
            total = double.CreateTruncating(Vector.Sum(acc));
        }
        for (; i < a.Length; i++) total += double.CreateTruncating((a[i] - alpha) * (b[i] - beta));
        return total;
    }

    /// <summary>y = g·x + shift.</summary>
    private static void Affine(ReadOnlySpan<T> x, T g, T shift, Span<T> y)
    {
        TensorPrimitives.Multiply(x, g, y);
        TensorPrimitives.Add(y, shift, y);
    }
}
