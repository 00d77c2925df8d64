using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Ê_B[H_B²] v = (1/K) Σₖ H_{Bₖ}(H_{Bₖ} v) over the first K batches of a <see cref="BatchSequence"/> (eoss_spec
/// §7.12), symmetric positive semi-definite. Each product re-linearizes the batch objective at θ (one batch
/// forward and backward) and applies H_B twice, so memory is one worker's buffers per thread instead of K cached
/// batch passes (HEAD keeps 129 graphs alive) or K scratch vectors (a <see cref="MeanOperator"/> of K
/// <see cref="ProductOperator"/>s). Batches are split over workers statically (k ≡ w mod W) and the workers'
/// float64 partial sums are added in worker order, so the result does not depend on thread timing.
/// Cost per product: K batch gradients and 2K batch H·v products.
/// </summary>
public sealed class BatchHessianSecondMoment<T> : ILinearOperator where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly BatchSampler<T> sampler;
    private readonly ReadOnlyMemory<T> theta;
    private readonly T[] input;
    private readonly double[][] partial;

    public BatchHessianSecondMoment(BatchSampler<T> sampler, ReadOnlyMemory<T> theta, int batches)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        if (batches < 1) throw new ArgumentOutOfRangeException(nameof(batches), batches, "at least one batch");
        this.sampler = sampler;
        this.theta = theta;
        Batches = batches;
        input = new T[theta.Length];
        partial = new double[Math.Min(sampler.Workers, batches)][];
        for (int w = 0; w < partial.Length; w++) partial[w] = new double[theta.Length];
    }

    public int Size => theta.Length;

    /// <summary>K, the number of batch Hessians averaged.</summary>
    public int Batches { get; }

    /// <summary>Batch H·v products so far.</summary>
    public long BatchProducts { get; private set; }

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        for (int i = 0; i < input.Length; i++) input[i] = T.CreateTruncating(v[i]);
        sampler.Batches.DrawThrough(Batches);
        int active = partial.Length;
        sampler.ForEachWorker(active, (w, worker) =>
        {
            var sum = partial[w];
            Array.Clear(sum);
            for (int k = w; k < Batches; k += active)
            {
                worker.Load(sampler.Batches[k]);
                worker.Objective.Linearize(theta, worker.Gradient);
                worker.Objective.HessianVectorProduct(input, worker.Image);
                worker.Objective.HessianVectorProduct(worker.Image, worker.Direction);
                var h2v = worker.Direction;
                for (int i = 0; i < sum.Length; i++) sum[i] += double.CreateTruncating(h2v[i]);
            }
        });
        result.Clear();
        foreach (var sum in partial)
            for (int i = 0; i < result.Length; i++) result[i] += sum[i];
        double scale = 1.0 / Batches;
        for (int i = 0; i < result.Length; i++) result[i] *= scale;
        BatchProducts += 2L * Batches;
    }
}
