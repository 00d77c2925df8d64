using System.Numerics;
using System.Runtime.ExceptionServices;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Evaluates one function of a minibatch, writing <c>values</c>, on batch <paramref name="sample"/> of the
/// context's <see cref="BatchSequence"/>, already loaded into <paramref name="worker"/>.
/// </summary>
public delegate void BatchEvaluation<T>(BatchWorker<T> worker, int sample, Span<double> values) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// Parallel Monte-Carlo sampling with a deterministic result. Samples are evaluated in rounds of
/// <see cref="SamplesPerWorker"/> per worker: the round's batches are drawn first, in order, on the calling
/// thread; worker w then evaluates samples w, w + W, … of the round with its own objective and buffers and with
/// its kernels limited to one thread (<see cref="Parallelism.Limit"/>: W workers × 1 GEMM thread, not W × W);
/// finally the caller consumes the values in sample order and applies the stopping rule in that order. Sample i
/// is always batch i evaluated the same way, so the estimate depends on the seed only, not on thread timing or
/// the number of workers. The price is at most one round of samples evaluated past the stopping point.
/// </summary>
public sealed class BatchSampler<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Samples each worker evaluates per round: enough to amortise the fork/join, few enough to waste little at the stop.</summary>
    public const int SamplesPerWorker = 8;

    private readonly BatchWorker<T>[] workers;

    internal BatchSampler(BatchWorker<T>[] workers, BatchSequence batches)
    {
        this.workers = workers;
        Batches = batches;
    }

    public BatchSequence Batches { get; }
    public int Workers => workers.Length;

    /// <summary>The first worker, for sequential work on the calling thread (its kernels are not limited).</summary>
    internal BatchWorker<T> First => workers[0];

    /// <summary>
    /// Runs <paramref name="body"/>(w, worker w) for w in [0, <paramref name="active"/>) on as many threads, each
    /// with its kernels limited to one thread; the first exception is rethrown as itself.
    /// </summary>
    internal void ForEachWorker(int active, Action<int, BatchWorker<T>> body)
    {
        active = Math.Clamp(active, 1, workers.Length);
        if (active == 1)
        {
            using (Parallelism.Limit(1)) body(0, workers[0]);
            return;
        }
        try
        {
            Parallel.For(0, active, new ParallelOptions { MaxDegreeOfParallelism = active }, w =>
            {
                using var limit = Parallelism.Limit(1);
                body(w, workers[w]);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>
    /// A lazily evaluated sequence of samples 0, 1, … of <paramref name="evaluate"/>, each <paramref name="components"/>
    /// values, on at most <paramref name="maxWorkers"/> workers at once (1 for an evaluation that is not thread-safe, a GPU's).
    /// </summary>
    public SampleStream Stream(BatchEvaluation<T> evaluate, int components, int maxSamples, int maxWorkers = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        if (components < 1) throw new ArgumentOutOfRangeException(nameof(components), components, "a sample has at least one value");
        if (maxSamples < 1) throw new ArgumentOutOfRangeException(nameof(maxSamples), maxSamples, "at least one sample");
        if (maxWorkers < 1) throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, "at least one worker");
        return new SampleStream(this, evaluate, components, maxSamples, Math.Min(maxWorkers, Workers));
    }

    /// <summary>Samples in increasing order; values of a round stay valid until the next round is computed.</summary>
    public sealed class SampleStream
    {
        private readonly BatchSampler<T> sampler;
        private readonly BatchEvaluation<T> evaluate;
        private readonly int components, maxSamples, workers;
        private readonly double[] values;
        private int roundStart, roundCount;

        internal SampleStream(BatchSampler<T> sampler, BatchEvaluation<T> evaluate, int components, int maxSamples, int workers)
        {
            this.sampler = sampler;
            this.evaluate = evaluate;
            this.components = components;
            this.maxSamples = maxSamples;
            this.workers = workers;
            values = new double[workers * SamplesPerWorker * components];
        }

        /// <summary>Samples evaluated so far, including any past the point where the caller stopped.</summary>
        public int Evaluated => roundStart + roundCount;

        /// <summary>The values of sample <paramref name="index"/>; indices must not go back past the current round.</summary>
        public ReadOnlySpan<double> this[int index]
        {
            get
            {
                if (index < roundStart) throw new InvalidOperationException($"sample {index} was discarded; samples are consumed in order");
                if (index >= maxSamples) throw new InvalidOperationException($"sample {index} is past the cap of {maxSamples}");
                while (index >= roundStart + roundCount) NextRound();
                return values.AsSpan((index - roundStart) * components, components);
            }
        }

        /// <summary>The first component of sample <paramref name="index"/>.</summary>
        public double Scalar(int index) => this[index][0];

        /// <summary>The first two components of sample <paramref name="index"/> as (numerator, denominator).</summary>
        public (double Numerator, double Denominator) Pair(int index)
        {
            var v = this[index];
            return (v[0], v[1]);
        }

        private void NextRound()
        {
            roundStart += roundCount;
            int count = Math.Min(workers * SamplesPerWorker, maxSamples - roundStart);
            roundCount = count;
            int start = roundStart;
            sampler.Batches.DrawThrough(start + count);
            int active = Math.Min(workers, count);
            sampler.ForEachWorker(active, (w, worker) =>
            {
                for (int j = w; j < count; j += active) Evaluate(worker, start, j);
            });
        }

        private void Evaluate(BatchWorker<T> worker, int start, int j)
        {
            int sample = start + j;
            worker.Load(sampler.Batches[sample]);
            evaluate(worker, sample, values.AsSpan(j * components, components));
        }
    }
}
