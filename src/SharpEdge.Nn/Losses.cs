using System.Numerics;
using SharpEdge.Numerics;

namespace SharpEdge.Nn;

/// <summary>
/// A loss over network outputs z, summed over a range of samples and divided by a normaliser (the batch size
/// for a minibatch, the data-set size for a chunk of the full loss), with its gradient and the exact product
/// of its Hessian with respect to z (the only second-order term a network needs besides its own).
/// </summary>
public abstract class Loss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public abstract string Name { get; }

    /// <summary>Σ_i ℓ_i / normalizer over samples [start, start+count); fills dz (if not empty) with its gradient.</summary>
    public abstract double Evaluate(ReadOnlySpan<T> z, Samples<T> data, int start, int count, double normalizer, Span<T> dz);

    /// <summary>rdz = (∇²_z Σ_i ℓ_i / normalizer) rz.</summary>
    public abstract void HessianProduct(ReadOnlySpan<T> z, Samples<T> data, int start, int count, double normalizer, ReadOnlySpan<T> rz, Span<T> rdz);

    /// <summary>
    /// r_i = ∇_z ℓ(z_i, ỹ_i) (one sample's loss, no normalisation) at a target ỹ_i drawn from the model's
    /// predictive distribution p(y | z_i), reading the loss as a negative log-likelihood. E[r rᵀ] is the Fisher
    /// information of the prediction, equal to the output Hessian ∇²_z ℓ, so these are the draws of a
    /// Monte-Carlo (sampled-label) Fisher matrix.
    /// </summary>
    public abstract void SampledLabelGradients(ReadOnlySpan<T> z, int count, Rng rng, Span<double> gradients);

    /// <summary>Per-sample losses ℓ_i (no normalisation).</summary>
    public abstract void PerSample(ReadOnlySpan<T> z, Samples<T> data, int start, int count, Span<double> losses);

    /// <summary>Throws if the samples lack what this loss needs.</summary>
    public abstract void Validate(Samples<T> data);

    protected static void CheckSampled(ReadOnlySpan<T> z, int count, Span<double> gradients)
    {
        if (count < 1 || z.Length % count != 0) throw new ArgumentException($"z holds {z.Length} values, not a positive multiple of {count} samples");
        if (gradients.Length < z.Length) throw new ArgumentException($"gradients hold {gradients.Length} values, {z.Length} needed");
    }

    public static Loss<T> FromName(string name) => name.ToLowerInvariant() switch
    {
        "mse" => new MeanSquaredError<T>(),
        "ce" or "cross-entropy" or "crossentropy" => new CrossEntropy<T>(),
        _ => throw new ArgumentException($"unknown loss '{name}' (expected mse or ce)"),
    };
}

/// <summary>
/// EoSS's SquaredLoss: ℓ_i = Σ_c (z_ic − y_ic)², summed over outputs with no ½ and averaged over samples
/// (eoss_spec §0). Gradient 2(z − y)/n, Hessian 2I/n.
/// </summary>
public sealed class MeanSquaredError<T> : Loss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string Name => "mse";

    public override void Validate(Samples<T> data)
    {
        if (data.Targets is null) throw new ArgumentException("mse needs target values [N, outputs] (one-hot for classification)");
    }

    public override double Evaluate(ReadOnlySpan<T> z, Samples<T> data, int start, int count, double normalizer, Span<T> dz)
    {
        var c = data.Outputs;
        var y = data.Targets.AsSpan(start * c, count * c);
        var scale = T.CreateTruncating(2.0 / normalizer);
        double sum = 0;
        for (int i = 0; i < count * c; i++)
        {
            var r = z[i] - y[i];
            var rd = double.CreateTruncating(r);
            sum += rd * rd;
            if (!dz.IsEmpty) dz[i] = scale * r;
        }
        return sum / normalizer;
    }

    public override void HessianProduct(ReadOnlySpan<T> z, Samples<T> data, int start, int count, double normalizer, ReadOnlySpan<T> rz, Span<T> rdz)
    {
        var scale = T.CreateTruncating(2.0 / normalizer);
        var n = count * data.Outputs;
        for (int i = 0; i < n; i++) rdz[i] = scale * rz[i];
    }

    /// <summary>
    /// ℓ = Σ_c (z_c − y_c)² is −log N(y; z, ½I) up to a constant, so ỹ = z + ε/√2 with ε ~ N(0, I) and
    /// r = 2(z − ỹ) = −√2 ε ~ N(0, 2I): its second moment 2I is the output Hessian, whatever z.
    /// </summary>
    public override void SampledLabelGradients(ReadOnlySpan<T> z, int count, Rng rng, Span<double> gradients)
    {
        CheckSampled(z, count, gradients);
        rng.FillNormal(gradients[..z.Length], 0, Math.Sqrt(2));
    }

    public override void PerSample(ReadOnlySpan<T> z, Samples<T> data, int start, int count, Span<double> losses)
    {
        var c = data.Outputs;
        var y = data.Targets.AsSpan(start * c, count * c);
        for (int i = 0; i < count; i++)
        {
            double s = 0;
            for (int k = 0; k < c; k++)
            {
                var r = double.CreateTruncating(z[i * c + k] - y[i * c + k]);
                s += r * r;
            }
            losses[i] = s;
        }
    }
}

/// <summary>
/// Softmax cross-entropy with class labels, ℓ_i = logsumexp(z_i) − z_{i,y_i} (PyTorch's CrossEntropyLoss,
/// mean reduction). Gradient (p − e_y)/n; Hessian (diag p − p pᵀ)/n, applied as p ⊙ (r − pᵀr).
/// </summary>
public sealed class CrossEntropy<T> : Loss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string Name => "ce";

    public override void Validate(Samples<T> data)
    {
        if (data.Labels is null) throw new ArgumentException("ce needs integer class labels [N]");
    }

    public override double Evaluate(ReadOnlySpan<T> z, Samples<T> data, int start, int count, double normalizer, Span<T> dz)
    {
        var c = data.Outputs;
        var labels = data.Labels.AsSpan(start, count);
        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            var row = z.Slice(i * c, c);
            var (max, logSum) = LogSumExp(row);
            sum += max + logSum - double.CreateTruncating(row[labels[i]]);
            if (dz.IsEmpty) continue;
            var drow = dz.Slice(i * c, c);
            for (int k = 0; k < c; k++)
            {
                var p = Math.Exp(double.CreateTruncating(row[k]) - max - logSum);
                drow[k] = T.CreateTruncating((p - (k == labels[i] ? 1.0 : 0.0)) / normalizer);
            }
        }
        return sum / normalizer;
    }

    public override void HessianProduct(ReadOnlySpan<T> z, Samples<T> data, int start, int count, double normalizer, ReadOnlySpan<T> rz, Span<T> rdz)
    {
        var c = data.Outputs;
        for (int i = 0; i < count; i++)
        {
            var row = z.Slice(i * c, c);
            var r = rz.Slice(i * c, c);
            var (max, logSum) = LogSumExp(row);
            double pr = 0;
            for (int k = 0; k < c; k++) pr += Math.Exp(double.CreateTruncating(row[k]) - max - logSum) * double.CreateTruncating(r[k]);
            for (int k = 0; k < c; k++)
            {
                var p = Math.Exp(double.CreateTruncating(row[k]) - max - logSum);
                rdz[i * c + k] = T.CreateTruncating(p * (double.CreateTruncating(r[k]) - pr) / normalizer);
            }
        }
    }

    /// <summary>ỹ ~ Categorical(p), p = softmax(z), by inversion of one uniform draw; r = p − e_ỹ, whose second moment is diag p − ppᵀ.</summary>
    public override void SampledLabelGradients(ReadOnlySpan<T> z, int count, Rng rng, Span<double> gradients)
    {
        CheckSampled(z, count, gradients);
        var c = z.Length / count;
        for (int i = 0; i < count; i++)
        {
            var row = z.Slice(i * c, c);
            var r = gradients.Slice(i * c, c);
            var (max, logSum) = LogSumExp(row);
            double u = rng.NextDouble(), cumulative = 0;
            int label = -1;
            for (int k = 0; k < c; k++)
            {
                r[k] = Math.Exp(double.CreateTruncating(row[k]) - max - logSum);
                cumulative += r[k];
                if (label < 0 && u < cumulative) label = k;
            }
            r[label < 0 ? c - 1 : label] -= 1; // label < 0 only when rounding leaves Σp just below u
        }
    }

    public override void PerSample(ReadOnlySpan<T> z, Samples<T> data, int start, int count, Span<double> losses)
    {
        var c = data.Outputs;
        var labels = data.Labels.AsSpan(start, count);
        for (int i = 0; i < count; i++)
        {
            var row = z.Slice(i * c, c);
            var (max, logSum) = LogSumExp(row);
            losses[i] = max + logSum - double.CreateTruncating(row[labels[i]]);
        }
    }

    private static (double Max, double LogSum) LogSumExp(ReadOnlySpan<T> row)
    {
        double max = double.NegativeInfinity;
        foreach (var v in row) max = Math.Max(max, double.CreateTruncating(v));
        double s = 0;
        foreach (var v in row) s += Math.Exp(double.CreateTruncating(v) - max);
        return (max, Math.Log(s));
    }
}
