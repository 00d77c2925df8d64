using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;

namespace SharpEdge.Nn;

/// <summary>
/// A network, a loss and a set of samples: L(θ) = (1/N) Σ_i ℓ(f_θ(x_i), y_i). The single place that runs a
/// model over data. Work is done in chunks of <see cref="ChunkSize"/> samples; sums over chunks are kept in
/// float64. <see cref="Linearize"/> evaluates loss and gradient at θ and keeps the forward and backward pass of
/// every chunk, so the many Hessian-vector products of an eigensolve cost one R-forward and one R-backward
/// each. When the cached passes would exceed <see cref="CacheBudgetBytes"/>, only one chunk's activations are
/// held at a time and each product recomputes the forward and backward passes of its chunks.
/// </summary>
public sealed class Objective<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<Tape<T>> tapes = [];
    private readonly T[] chunkVector;
    private double[]? accumulator;
    private readonly T[] lossGradient;
    private readonly T[] lossHessianVector;
    private ReadOnlyMemory<T> point;
    private bool linearized;
    private bool cached;

    public Objective(Network<T> network, Loss<T> loss, Samples<T> data, int chunkSize = 4096, long cacheBudgetBytes = 2L << 30)
    {
        CheckSamples(network, loss, data);
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunk size must be positive");
        Network = network;
        Loss = loss;
        Data = data;
        ChunkSize = PlanChunkSize(network, data.Count, chunkSize);
        CacheBudgetBytes = cacheBudgetBytes;
        ChunkCount = (data.Count + ChunkSize - 1) / ChunkSize;
        chunkVector = new T[network.ParameterCount];
        lossGradient = new T[ChunkSize * network.OutputSize];
        lossHessianVector = new T[ChunkSize * network.OutputSize];
    }

    /// <summary>Throws unless <paramref name="data"/> has samples of the network's input and output sizes, with what <paramref name="loss"/> needs.</summary>
    public static void CheckSamples(Network<T> network, Loss<T> loss, Samples<T> data)
    {
        if (data.InputSize != network.InputSize)
            throw new ArgumentException($"samples have {data.InputSize} input values ({string.Join("x", data.InputShape)}), the model expects {network.InputSize}");
        if (data.Outputs != network.OutputSize)
            throw new ArgumentException($"samples have {data.Outputs} outputs, the model gives {network.OutputSize}");
        if (data.Count < 1) throw new ArgumentException("no samples");
        loss.Validate(data);
    }

    /// <summary>
    /// Samples per chunk for <paramref name="count"/> samples and at most <paramref name="chunkSize"/> per chunk: a
    /// chunk's tape is kept to <see cref="TapeBudgetBytes"/> (a conv net holds ~100× an MLP's activations per sample).
    /// With batch statistics the chunk is also the set BatchNorm normalises together ("ghost batches" when the
    /// evaluated set is larger; docs/architecture.md, "BatchNorm and curvature").
    /// </summary>
    private static int PlanChunkSize(Network<T> network, int count, int chunkSize)
    {
        int size = Math.Min(chunkSize, count);
        if (UnsharedTapeBytes(network, size) <= TapeBudgetBytes) return size;
        int low = 1, high = size;
        while (low < high)
        {
            int mid = (low + high + 1) / 2;
            if (UnsharedTapeBytes(network, mid) <= TapeBudgetBytes) low = mid;
            else high = mid - 1;
        }
        return low;
    }

    /// <summary>
    /// The tape size that fixes the chunk size: every buffer counted as if none were shared (in-place layers, R buffers
    /// shared between chunks), as before they were, so that the chunks, which are BatchNorm's ghost batches, and with
    /// them the results, stay what they were. The tapes themselves hold less (<see cref="HeldBytes"/>).
    /// </summary>
    private static long UnsharedTapeBytes(Network<T> network, int capacity) => (long)System.Runtime.CompilerServices.Unsafe.SizeOf<T>() *
        (4L * capacity * network.Layers.Sum(l => (long)l.OutputSize) + network.Layers.Sum(l => l.StateSize(capacity)) + network.Layers.Max(l => l.WorkspaceSize(capacity)));

    /// <summary>Largest tape (bytes) one chunk may use: 1 GiB, about 110-140 CIFAR images for the ResNets in float32.</summary>
    public const long TapeBudgetBytes = 1L << 30;

    /// <summary>
    /// Whether <see cref="Linearize"/> is a training step: its forward pass folds the batch statistics into the
    /// network's running statistics (BatchNorm), once per call.
    /// </summary>
    public bool UpdateRunningStatistics { get; set; }

    public Network<T> Network { get; }
    public Loss<T> Loss { get; }
    public Samples<T> Data { get; }
    public int ChunkSize { get; }
    public int ChunkCount { get; }
    public long CacheBudgetBytes { get; }
    public int ParameterCount => Network.ParameterCount;

    /// <summary>Hessian-vector products computed so far (for cost reports).</summary>
    public long HessianVectorProducts { get; private set; }

    /// <summary>Loss at θ of the last <see cref="Linearize"/>.</summary>
    public double LinearizationLoss { get; private set; }

    /// <summary>Bytes of activations currently held (the R buffers that the chunk tapes share counted once).</summary>
    public long HeldBytes => tapes.Sum(t => t.ForwardBytes) + (tapes.Count > 0 && tapes[0].HasRBuffers ? tapes[0].RBufferBytes : 0);

    private (int Start, int Count) Chunk(int c) => (c * ChunkSize, Math.Min(ChunkSize, Data.Count - c * ChunkSize));

    /// <summary>L(θ) over all samples.</summary>
    public double Evaluate(ReadOnlySpan<T> theta)
    {
        var tape = TapeFor(0, caching: false);
        double total = 0;
        for (int c = 0; c < ChunkCount; c++)
        {
            var (start, count) = Chunk(c);
            Network.Forward(tape, theta, Data.InputRows(start, count), count);
            total += Loss.Evaluate(tape.Output, Data, start, count, Data.Count, []);
        }
        linearized = false; // the tape no longer holds the linearization point
        return total;
    }

    /// <summary>
    /// L(θ) and the accuracy over all samples (the fraction whose prediction is right, <see cref="Samples{T}.CountCorrect"/>):
    /// the full-data and test-set evaluation of training.
    /// </summary>
    public double Evaluate(ReadOnlySpan<T> theta, out double accuracy)
    {
        var tape = TapeFor(0, caching: false);
        double total = 0;
        long correct = 0;
        for (int c = 0; c < ChunkCount; c++)
        {
            var (start, count) = Chunk(c);
            Network.Forward(tape, theta, Data.InputRows(start, count), count);
            total += Loss.Evaluate(tape.Output, Data, start, count, Data.Count, []);
            correct += Data.CountCorrect(tape.Output, start, count);
        }
        linearized = false;
        accuracy = (double)correct / Data.Count;
        return total;
    }

    /// <summary>
    /// Loss and gradient at θ; remembers θ and the passes for the products that follow
    /// (<see cref="HessianVectorProduct"/>, <see cref="GaussNewtonVectorProduct"/>, <see cref="Jvp"/>, <see cref="Vjp"/>).
    /// θ is held by reference, not copied (a copy would cost as much as the whole gradient of a small batch):
    /// leave it unchanged while asking for products at this point.
    /// An empty <paramref name="gradient"/> skips the parameter gradient: the products need only the forward pass
    /// and the output gradients of every layer, not ∂L/∂W (for an MLP on CIFAR the first layer's ∂L/∂W alone is a
    /// third of the gradient's multiply-adds). <see cref="CompleteGradient"/> adds it later if it is wanted after all.
    /// </summary>
    public double Linearize(ReadOnlyMemory<T> theta, Span<T> gradient)
    {
        if (theta.Length != ParameterCount) throw new ArgumentException($"θ has {theta.Length} values, the model has {ParameterCount} parameters");
        if (!gradient.IsEmpty) CheckVector(gradient, nameof(gradient));
        point = theta;
        linearized = true;
        cached = Network.TapeBytesWithoutRBuffers(ChunkSize) * ChunkCount + Network.RBufferBytes(ChunkSize) <= CacheBudgetBytes;
        double total = 0;
        if (gradient.IsEmpty)
        {
            for (int c = 0; c < ChunkCount; c++) total += ForwardBackward(c, default, UpdateRunningStatistics).Loss;
        }
        else
        {
            ChunkSum(gradient, (c, output) => total += ForwardBackward(c, output, UpdateRunningStatistics).Loss);
        }
        LinearizationLoss = total;
        return total;
    }

    /// <summary>
    /// ∇L at the linearization point after a <see cref="Linearize"/> that skipped it: one backward pass per chunk
    /// over the kept forward passes (forward and backward again for chunks that are not cached).
    /// </summary>
    public void CompleteGradient(Span<T> gradient)
    {
        CheckVector(gradient, nameof(gradient));
        if (!linearized) throw new InvalidOperationException("call Linearize(θ) before asking for the gradient at θ");
        ChunkSum(gradient, (c, output) =>
        {
            if (!cached)
            {
                ForwardBackward(c, output);
                return;
            }
            var tape = tapes[c];
            var (start, count) = Chunk(c);
            var lossGrad = lossGradient.AsSpan(0, count * Network.OutputSize);
            Loss.Evaluate(tape.Output, Data, start, count, Data.Count, lossGrad);
            Network.Backward(tape, point.Span, lossGrad, output);
        });
    }

    private (Tape<T> Tape, double Loss) ForwardBackward(int chunk, Span<T> gradient, bool updateRunningStatistics = false)
    {
        var (start, count) = Chunk(chunk);
        var tape = TapeFor(chunk, cached);
        Network.Forward(tape, point.Span, Data.InputRows(start, count), count, updateRunningStatistics);
        var lossGrad = lossGradient.AsSpan(0, count * Network.OutputSize);
        var loss = Loss.Evaluate(tape.Output, Data, start, count, Data.Count, lossGrad);
        Network.Backward(tape, point.Span, lossGrad, gradient);
        return (tape, loss);
    }

    /// <summary>The chunk's tape at the linearization point, recomputing its passes when they are not cached.</summary>
    private Tape<T> PreparedTape(int chunk)
    {
        if (!linearized) throw new InvalidOperationException("call Linearize(θ) before asking for products at θ");
        if (cached) return tapes[chunk];
        // The products need the layers' output gradients, not the parameter gradient.
        return ForwardBackward(chunk, default).Tape;
    }

    /// <summary>H v: the exact Hessian of the full loss at the linearization point, applied to v.</summary>
    public void HessianVectorProduct(ReadOnlyMemory<T> v, Span<T> hv)
    {
        CheckVector(v.Span, nameof(v));
        CheckVector(hv, nameof(hv));
        ChunkSum(hv, (c, output) =>
        {
            var tape = PreparedTape(c);
            var (start, count) = Chunk(c);
            Network.RForward(tape, point.Span, v.Span);
            var r = lossHessianVector.AsSpan(0, count * Network.OutputSize);
            Loss.HessianProduct(tape.Output, Data, start, count, Data.Count, tape.ROutput, r);
            Network.RBackward(tape, point.Span, v.Span, r, output);
        });
        HessianVectorProducts++;
    }

    /// <summary>
    /// vᵀ H v at the linearization point, without forming H v (cheaper than <see cref="HessianVectorProduct"/>
    /// for small batches, where writing the [out, in] products dominates). Summed over chunks in float64.
    /// </summary>
    public double QuadraticForm(ReadOnlyMemory<T> v)
    {
        CheckVector(v.Span, nameof(v));
        double total = 0;
        for (int c = 0; c < ChunkCount; c++)
        {
            var tape = PreparedTape(c);
            var (start, count) = Chunk(c);
            Network.RForward(tape, point.Span, v.Span);
            var r = lossHessianVector.AsSpan(0, count * Network.OutputSize);
            Loss.HessianProduct(tape.Output, Data, start, count, Data.Count, tape.ROutput, r);
            total += Network.RBackwardDot(tape, point.Span, v.Span, r, chunkVector);
        }
        HessianVectorProducts++;
        return total;
    }

    /// <summary>Batches up to this size use batch Gram matrices in <see cref="CurvatureAlongGradient"/>; larger ones form g.</summary>
    public const int GramBatchLimit = 64;

    private T[]? gradientBuffer;

    /// <summary>
    /// L(θ), ‖g‖² and gᵀ H g for g = ∇L(θ): over a minibatch, one sample of batch sharpness (gᵀH_Bg/gᵀg) or of
    /// step sharpness. For MLPs and batches up to <see cref="GramBatchLimit"/> every quantity comes from B×B Gram
    /// matrices of layer inputs and output gradients (<see cref="Layers.IOuterProductGradient{T}"/>), so g is
    /// never formed and the cost is about that of a forward pass; otherwise g is formed and
    /// <see cref="QuadraticForm"/> applied. Replaces the linearization point.
    /// </summary>
    public (double Loss, double GradientNormSquared, double Curvature) CurvatureAlongGradient(ReadOnlyMemory<T> theta)
    {
        if (theta.Length != ParameterCount) throw new ArgumentException($"θ has {theta.Length} values, the model has {ParameterCount} parameters");
        if (!Network.HasOuterProductGradients || ChunkCount > 1 || Data.Count > GramBatchLimit)
        {
            gradientBuffer ??= new T[ParameterCount];
            var value = Linearize(theta, gradientBuffer);
            var norm = double.CreateTruncating(System.Numerics.Tensors.TensorPrimitives.Dot<T>(gradientBuffer, gradientBuffer));
            return (value, norm, QuadraticForm(gradientBuffer));
        }
        linearized = false;
        var tape = TapeFor(0, caching: false);
        int count = Data.Count;
        Network.Forward(tape, theta.Span, Data.InputRows(0, count), count);
        var lossGrad = lossGradient.AsSpan(0, count * Network.OutputSize);
        var loss = Loss.Evaluate(tape.Output, Data, 0, count, Data.Count, lossGrad);
        Network.Backward(tape, theta.Span, lossGrad, default);
        var gradientNorm = Network.GradientNormSquared(tape, theta.Span);
        Network.RForwardAlongGradient(tape, theta.Span);
        var r = lossHessianVector.AsSpan(0, count * Network.OutputSize);
        Loss.HessianProduct(tape.Output, Data, 0, count, Data.Count, tape.ROutput, r);
        var curvature = Network.RBackwardDotAlongGradient(tape, theta.Span, r);
        HessianVectorProducts++;
        return (loss, gradientNorm, curvature);
    }

    /// <summary>
    /// Σ_i w_i ∇ℓ_i at the linearization point: the gradient of the sample-weighted loss Σ_i w_i ℓ_i (not divided
    /// by N; w_i = 1/N gives ∇L), from the kept forward passes at one backward pass per chunk. Noisy GD and the SDE
    /// weight samples by centred Gaussians to draw gradient noise with the minibatch covariance (eoss_spec §10.1, §10.2).
    /// </summary>
    public void SampleWeightedGradient(ReadOnlyMemory<double> weights, Span<T> gradient)
    {
        if (weights.Length != Data.Count) throw new ArgumentException($"{weights.Length} weights for {Data.Count} samples");
        CheckVector(gradient, nameof(gradient));
        ChunkSum(gradient, (c, output) =>
        {
            var tape = PreparedTape(c);
            var (start, count) = Chunk(c);
            var dz = lossGradient.AsSpan(0, count * Network.OutputSize);
            Loss.Evaluate(tape.Output, Data, start, count, 1.0, dz);   // rows ∇_z ℓ_i
            var w = weights.Span.Slice(start, count);
            for (int i = 0; i < count; i++)
            {
                var wi = T.CreateTruncating(w[i]);
                foreach (ref var v in dz.Slice(i * Network.OutputSize, Network.OutputSize)) v *= wi;
            }
            Network.BackwardSeparately(tape, point.Span, dz, output);
        });
    }

    /// <summary>G v = Jᵀ H_ℓ J v: the generalised Gauss-Newton matrix of the full loss applied to v (one R-forward, one backward).</summary>
    public void GaussNewtonVectorProduct(ReadOnlyMemory<T> v, Span<T> gv)
    {
        CheckVector(v.Span, nameof(v));
        CheckVector(gv, nameof(gv));
        ChunkSum(gv, (c, output) =>
        {
            var tape = PreparedTape(c);
            var (start, count) = Chunk(c);
            Network.RForward(tape, point.Span, v.Span);
            var r = lossHessianVector.AsSpan(0, count * Network.OutputSize);
            Loss.HessianProduct(tape.Output, Data, start, count, Data.Count, tape.ROutput, r);
            Network.BackwardSeparately(tape, point.Span, r, output);
        });
    }

    /// <summary>J v: the directional derivative of the network outputs of every sample, [N, outputs].</summary>
    public void Jvp(ReadOnlyMemory<T> v, Span<T> jv)
    {
        CheckVector(v.Span, nameof(v));
        if (jv.Length != Data.Count * Network.OutputSize) throw new ArgumentException($"J v needs {Data.Count}x{Network.OutputSize} values");
        for (int c = 0; c < ChunkCount; c++)
        {
            var tape = PreparedTape(c);
            var (start, count) = Chunk(c);
            Network.RForward(tape, point.Span, v.Span);
            tape.ROutput.CopyTo(jv.Slice(start * Network.OutputSize));
        }
    }

    /// <summary>The network outputs z of every sample at the linearization point, [N, outputs].</summary>
    public void Outputs(Span<T> z)
    {
        if (z.Length != Data.Count * Network.OutputSize) throw new ArgumentException($"z needs {Data.Count}x{Network.OutputSize} values");
        for (int c = 0; c < ChunkCount; c++)
        {
            var tape = PreparedTape(c);
            tape.Output.CopyTo(z.Slice(Chunk(c).Start * Network.OutputSize));
        }
    }

    /// <summary>Jᵀ u for output cotangents u of every sample, [N, outputs].</summary>
    public void Vjp(ReadOnlyMemory<T> u, Span<T> jtu)
    {
        if (u.Length != Data.Count * Network.OutputSize) throw new ArgumentException($"u needs {Data.Count}x{Network.OutputSize} values");
        CheckVector(jtu, nameof(jtu));
        ChunkSum(jtu, (c, output) =>
        {
            var tape = PreparedTape(c);
            var (start, count) = Chunk(c);
            Network.BackwardSeparately(tape, point.Span, u.Span.Slice(start * Network.OutputSize, count * Network.OutputSize), output);
        });
    }

    /// <summary>Rows of ∂ℓ_i/∂θ at θ for samples [start, start+count), [count, P] (MLPs).</summary>
    public void PerExampleGradients(ReadOnlySpan<T> theta, int start, int count, Span<T> rows)
    {
        var tape = Network.CreateTape(count);
        Network.Forward(tape, theta, Data.InputRows(start, count), count);
        var dz = new T[count * Network.OutputSize];
        Loss.Evaluate(tape.Output, Data, start, count, 1.0, dz);
        Network.Backward(tape, theta, dz, chunkVector);
        Network.PerExampleGradients(tape, theta, rows);
    }

    private delegate void ChunkWork(int chunk, Span<T> output);

    /// <summary>Σ over chunks of a per-chunk vector, in float64 when there is more than one chunk.</summary>
    private void ChunkSum(Span<T> result, ChunkWork work)
    {
        if (ChunkCount == 1)
        {
            work(0, result);
            return;
        }
        if (typeof(T) == typeof(double) || (typeof(T) == typeof(float) && ChunkCount == 2))
        {
            // Summing in T is summing in float64 here: T is double, or there are two float32 terms, whose float64 sum
            // rounded to float32 is their float32 sum (float64 holds more than twice float32's precision). The first
            // chunk writes the result itself, so no float64 accumulator is touched.
            work(0, result);
            for (int c = 1; c < ChunkCount; c++)
            {
                work(c, chunkVector);
                TensorPrimitives.Add(result, chunkVector, result);
            }
            return;
        }
        accumulator ??= new double[ParameterCount];
        Array.Clear(accumulator);
        for (int c = 0; c < ChunkCount; c++)
        {
            work(c, chunkVector);
            for (int i = 0; i < accumulator.Length; i++) accumulator[i] += double.CreateTruncating(chunkVector[i]);
        }
        for (int i = 0; i < accumulator.Length; i++) result[i] = T.CreateTruncating(accumulator[i]);
    }

    private Tape<T> TapeFor(int chunk, bool caching)
    {
        var index = caching ? chunk : 0;
        // Chunks run one after another, so every chunk tape works in the R buffers of the first.
        while (tapes.Count <= index) tapes.Add(tapes.Count == 0 ? Network.CreateTape(ChunkSize) : Network.CreateTape(ChunkSize, tapes[0]));
        if (!caching && tapes.Count > 1) tapes.RemoveRange(1, tapes.Count - 1);
        return tapes[index];
    }

    private void CheckVector(ReadOnlySpan<T> v, string name)
    {
        if (v.Length != ParameterCount) throw new ArgumentException($"{name} has {v.Length} values, the model has {ParameterCount} parameters");
    }

    private void CheckVector(Span<T> v, string name) => CheckVector((ReadOnlySpan<T>)v, name);
}
