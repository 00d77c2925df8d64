using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using SharpEdge.Curvature;
using SharpEdge.Nn;
using SharpEdge.Nn.Layers;

namespace SharpEdge.Gpu.Curvature;

/// <summary>
/// The full-data loss of an MLP (Linear layers, each optionally followed by ReLU or tanh; a leading Flatten) on a
/// <see cref="GpuDevice"/>, in float32 or float64: its value and gradient (<see cref="Linearize"/>), exact Hessian-vector
/// products by the R-operator (<see cref="HessianVectorProduct"/>) and Gauss-Newton products
/// (<see cref="GaussNewtonVectorProduct"/>), the same quantities as <see cref="Objective{T}"/>
/// computes on the CPU, over all samples at once (the activations of the mlp preset at 8,192 samples take ~0.4 GB in
/// float64). The GEMMs run through cuBLAS where libcublas is found (<see cref="GemmBackend"/> says which), else through
/// an ILGPU tiled kernel (ILGPU's CPU accelerator in the tests).
/// </summary>
/// <remarks>
/// The loss itself (n×outputs values) is evaluated on the host by the same <see cref="Loss{T}"/> the CPU engine uses,
/// so both engines share one definition of MSE and cross-entropy; everything of the network's size stays on the
/// device. The R-operator per layer: R{z} = R{a_prev} Wᵀ + a_prev Vᵀ + v_b, R{a} = σ'(z) ⊙ R{z};
/// R{dW} = R{dz}ᵀ a_prev + dzᵀ R{a_prev}, R{db} = Σ_rows R{dz}, R{da_prev} = R{dz} W + dz V,
/// R{dz} = R{da} ⊙ σ'(z) + da ⊙ σ''(z) ⊙ R{z}.
/// </remarks>
public sealed class DeviceMlp<T> : IHessianEngine, IBatchCurvatureEngine<T>, IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private sealed record DenseLayer(int In, int Out, bool HasBias, int WeightOffset, int Activation);

    // z, a = σ(z), da, dz and their R-counterparts, rows × Out each; without an activation a = z and dz = da.
    private sealed class LayerBuffers : IDisposable
    {
        private readonly MemoryBuffer1D<T, Stride1D.Dense>[] owned;
        private readonly bool linear;

        public LayerBuffers(Accelerator accelerator, int rows, DenseLayer layer)
        {
            linear = layer.Activation == DenseActivation.Identity;
            owned = [.. Enumerable.Range(0, linear ? 4 : 8).Select(_ => accelerator.Allocate1D<T>((long)rows * layer.Out))];
        }

        public ArrayView<T> Z => owned[0].View;
        public ArrayView<T> DA => owned[1].View;
        public ArrayView<T> RZ => owned[2].View;
        public ArrayView<T> RDA => owned[3].View;
        public ArrayView<T> A => linear ? Z : owned[4].View;
        public ArrayView<T> DZ => linear ? DA : owned[5].View;
        public ArrayView<T> RA => linear ? RZ : owned[6].View;
        public ArrayView<T> RDZ => linear ? RDA : owned[7].View;

        public void Dispose()
        {
            foreach (var buffer in owned) buffer.Dispose();
        }
    }

    private readonly GpuDevice device;
    private readonly Loss<T> loss;
    private Samples<T> data;   // the samples on the device (SetSamples replaces them by others of the same count)
    private readonly DenseLayer[] layers;
    private readonly LayerBuffers[] buffers;
    private readonly MemoryBuffer1D<T, Stride1D.Dense> inputs, theta, direction, gradient, ones;
    private readonly T[] outputs, outputGradient, rOutputs, rOutputGradient;
    private readonly T[] input, output;
    private readonly Network<T> network;
    private Cublas? cublas;
    private readonly int tile;
    private readonly Action<AcceleratorStream, KernelConfig, GemmShape, ArrayView<T>, ArrayView<T>, ArrayView<T>> gemm;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<T>, ArrayView<T>, int, ArrayView<T>, int, ulong> biasActivate;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<T>, ArrayView<T>, int, ArrayView<T>, ArrayView<T>, ArrayView<T>, int> biasTimesSlope;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int> rBackward;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<T>, ArrayView<T>, int, ArrayView<double>> dotPartials;
    private MemoryBuffer1D<double, Stride1D.Dense>? partials;
    private double[]? partialsOnHost;
    private bool linearized;

    /// <summary>Uploads <paramref name="data"/> and allocates every buffer; throws for a network that is not such an MLP.</summary>
    public DeviceMlp(GpuDevice device, Network<T> network, Loss<T> loss, Samples<T> data)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(data);
        Objective<T>.CheckSamples(network, loss, data);
        this.device = device;
        this.loss = loss;
        this.data = data;
        this.network = network;
        layers = Describe(network);
        ParameterCount = network.ParameterCount;
        var accelerator = device.Accelerator;
        int rows = data.Count;
        buffers = [.. layers.Select(l => new LayerBuffers(accelerator, rows, l))];
        inputs = accelerator.Allocate1D(data.Inputs);
        theta = accelerator.Allocate1D<T>(ParameterCount);
        direction = accelerator.Allocate1D<T>(ParameterCount);
        gradient = accelerator.Allocate1D<T>(ParameterCount);
        ones = accelerator.Allocate1D(Enumerable.Repeat(T.One, rows).ToArray());
        int outputCount = rows * data.Outputs;
        (outputs, outputGradient, rOutputs, rOutputGradient) = (new T[outputCount], new T[outputCount], new T[outputCount], new T[outputCount]);
        (input, output) = (new T[ParameterCount], new T[ParameterCount]);
        tile = Math.Min(16, (int)Math.Sqrt(accelerator.MaxNumThreadsPerGroup));

        var kernels = typeof(DenseKernels<,,>).MakeGenericType(typeof(T), typeof(T) == typeof(float) ? typeof(Float32Scalar) : typeof(Float64Scalar),
            device.IsCuda ? typeof(PtxOps) : typeof(ScalarOps));
        Kernel Load(string name, bool explicitlyGrouped)
        {
            var method = kernels.GetMethod(name)!;
            return explicitlyGrouped ? accelerator.LoadKernel(method) : accelerator.LoadAutoGroupedKernel(method);
        }
        gemm = Load(nameof(DenseKernels<double, Float64Scalar, ScalarOps>.Gemm), true)
            .CreateLauncherDelegate<Action<AcceleratorStream, KernelConfig, GemmShape, ArrayView<T>, ArrayView<T>, ArrayView<T>>>();
        biasActivate = Load(nameof(DenseKernels<double, Float64Scalar, ScalarOps>.BiasActivate), false)
            .CreateLauncherDelegate<Action<AcceleratorStream, Index1D, ArrayView<T>, ArrayView<T>, int, ArrayView<T>, int, ulong>>();
        biasTimesSlope = Load(nameof(DenseKernels<double, Float64Scalar, ScalarOps>.BiasTimesSlope), false)
            .CreateLauncherDelegate<Action<AcceleratorStream, Index1D, ArrayView<T>, ArrayView<T>, int, ArrayView<T>, ArrayView<T>, ArrayView<T>, int>>();
        dotPartials = Load(nameof(DenseKernels<double, Float64Scalar, ScalarOps>.DotPartials), false)
            .CreateLauncherDelegate<Action<AcceleratorStream, Index1D, ArrayView<T>, ArrayView<T>, int, ArrayView<double>>>();
        rBackward = Load(nameof(DenseKernels<double, Float64Scalar, ScalarOps>.RBackward), false)
            .CreateLauncherDelegate<Action<AcceleratorStream, Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int>>();

        string? reason = "not a CUDA device";
        if (device.IsCuda && Environment.GetEnvironmentVariable(NoCublasVariable) != "1")
            cublas = Cublas.TryCreate(((CudaStream)accelerator.DefaultStream).StreamPtr, out reason);
        else if (device.IsCuda) reason = $"{NoCublasVariable}=1";
        GemmBackend = cublas is not null ? "cuBLAS" : $"ILGPU tiled kernel ({reason})";
    }

    /// <summary>Set to 1, the GEMMs take the ILGPU kernel even where cuBLAS is found (to compare the two on a GPU).</summary>
    public const string NoCublasVariable = "SHARPEDGE_NO_CUBLAS";

    /// <summary>"cuBLAS", or "ILGPU tiled kernel (why not cuBLAS)"; a cuBLAS call that fails switches to the kernel for good.</summary>
    public string GemmBackend { get; private set; }

    public int ParameterCount { get; }

    /// <summary>
    /// L(θ) over all samples; writes ∇L into <paramref name="gradientOut"/> and keeps the activations for
    /// <see cref="HessianVectorProduct"/>.
    /// </summary>
    public double Linearize(ReadOnlySpan<double> parameters, Span<double> gradientOut)
    {
        CheckLength(gradientOut.Length, "the gradient");
        Upload(theta, parameters, "θ");
        double value = LinearizeOnDevice();
        Download(gradientOut);
        return value;
    }

    /// <summary>hv = ∇²L(θ) v at the point of the last <see cref="Linearize"/>.</summary>
    public void HessianVectorProduct(ReadOnlySpan<double> v, Span<double> hv) => Product(v, hv, gaussNewton: false);

    /// <summary>gv = G(θ) v, the generalised Gauss-Newton matrix, at the point of the last <see cref="Linearize"/>.</summary>
    public void GaussNewtonVectorProduct(ReadOnlySpan<double> v, Span<double> gv) => Product(v, gv, gaussNewton: true);

    // The products themselves refuse an engine that has not been linearized (ROutputSeed).
    private void Product(ReadOnlySpan<double> v, Span<double> image, bool gaussNewton)
    {
        CheckLength(image.Length, gaussNewton ? "G·v" : "H·v");
        Upload(direction, v, "v");
        ProductOnDevice(gaussNewton);
        Download(image);
    }

    // G·v or H·v of the v already on the device, left in the gradient buffer.
    private void ProductOnDevice(bool gaussNewton)
    {
        if (gaussNewton) GaussNewtonVectorProductOnDevice();
        else HessianVectorProductOnDevice();
    }

    /// <summary>Copies θ to the device, for <see cref="LinearizeOnDevice"/>.</summary>
    public void SetParameters(ReadOnlySpan<double> parameters) => Upload(theta, parameters, "θ");

    /// <summary>Copies v to the device, for <see cref="HessianVectorProductOnDevice"/>.</summary>
    public void SetDirection(ReadOnlySpan<double> v) => Upload(direction, v, "v");

    /// <summary>
    /// <see cref="Linearize"/> at the θ already on the device, the gradient left there: what an engine timing
    /// compares with PyTorch's, whose tensors never leave the GPU (only the n×outputs values of the loss cross).
    /// </summary>
    public double LinearizeOnDevice()
    {
        var stream = BoundStream();
        int rows = data.Count;
        for (int l = 0; l < layers.Length; l++)
        {
            var (layer, b) = (layers[l], buffers[l]);
            ArrayView<T> previous = l == 0 ? inputs.View : buffers[l - 1].A;
            Gemm(stream, rows, layer.Out, layer.In, previous, layer.In, false, Weights(theta, layer), layer.In, true, b.Z, 1.0, 0.0);
            if (layer.HasBias || layer.Activation != DenseActivation.Identity)
                biasActivate(stream, (int)b.Z.Length, b.Z, layer.HasBias ? Bias(theta, layer) : b.Z, layer.HasBias ? layer.Out : 0, b.A, layer.Activation, 0UL);
        }
        buffers[^1].A.CopyToCPU(stream, outputs);
        stream.Synchronize();
        double value = loss.Evaluate(outputs, data, 0, rows, rows, outputGradient);
        buffers[^1].DA.CopyFromCPU(stream, outputGradient);
        Backward(stream, b => b.DA, b => b.DZ);
        stream.Synchronize();
        linearized = true;
        return value;
    }

    // The backward pass from the output's seed in da(last layer) into the gradient buffer: dz = da ⊙ σ'(z), ∂W = dzᵀ a_prev,
    // ∂b = Σ_rows dz, da_prev = dz W. ∇L seeds it with ∂L/∂z in (DA, DZ); G·v with ∇²_z L · R{z} in (RDA, RDZ), which
    // leaves the linearization's DA and DZ as they are.
    private void Backward(AcceleratorStream stream, Func<LayerBuffers, ArrayView<T>> da, Func<LayerBuffers, ArrayView<T>> dz)
    {
        int rows = data.Count;
        for (int l = layers.Length - 1; l >= 0; l--)
        {
            var (layer, b) = (layers[l], buffers[l]);
            ArrayView<T> previous = l == 0 ? inputs.View : buffers[l - 1].A;
            if (layer.Activation != DenseActivation.Identity) biasTimesSlope(stream, (int)b.Z.Length, da(b), da(b), 0, b.Z, b.A, dz(b), layer.Activation);
            Gemm(stream, layer.Out, layer.In, rows, dz(b), layer.Out, true, previous, layer.In, false, Weights(gradient, layer), 1.0, 0.0);
            if (layer.HasBias) BiasGradient(stream, rows, layer.Out, dz(b), Bias(gradient, layer));
            if (l > 0) Gemm(stream, rows, layer.In, layer.Out, dz(b), layer.Out, false, Weights(theta, layer), layer.In, false, da(buffers[l - 1]), 1.0, 0.0);
        }
    }

    /// <summary>
    /// Replaces the samples on the device by <paramref name="samples"/> of the same count and shapes (a batch buffer's next
    /// batch: only its inputs cross, n×inputs values); the linearization is discarded.
    /// </summary>
    public void SetSamples(Samples<T> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count != data.Count || samples.InputSize != data.InputSize || samples.Outputs != data.Outputs)
            throw new ArgumentException($"the engine holds {data.Count} samples of {data.InputSize} inputs and {data.Outputs} outputs; " +
                                        $"got {samples.Count} of {samples.InputSize} and {samples.Outputs}", nameof(samples));
        Objective<T>.CheckSamples(network, loss, samples);
        inputs.View.CopyFromCPU(BoundStream(), samples.Inputs.AsSpan(0, samples.Count * samples.InputSize));
        data = samples;
        linearized = false;
    }

    /// <summary>
    /// (g_Bᵀ H_B g_B, ‖g_B‖²) over <paramref name="batch"/> at the θ of the last <see cref="SetParameters"/>, or with
    /// <paramref name="gaussNewton"/> (g_Bᵀ G_B g_B, ‖g_B‖²): the gradient is
    /// taken on the device and used there as the direction of the product, and both dot products are summed there in
    /// float64 (<see cref="DenseKernels{T, TScalar, TOps}.DotPartials"/>).
    /// </summary>
    public (double Curvature, double NormSquared) CurvatureAlongGradient(Samples<T> batch, bool gaussNewton = false)
    {
        SetSamples(batch);
        LinearizeOnDevice();
        var stream = device.Accelerator.DefaultStream;
        gradient.View.CopyTo(stream, direction.View);
        ProductOnDevice(gaussNewton);
        // g_Bᵀ(H_B g_B) and ‖g_B‖² on the device: only the partial sums cross, not two parameter vectors.
        int threads = (int)Math.Min(DotThreads, ParameterCount);
        partials ??= device.Accelerator.Allocate1D<double>(2 * threads);
        partialsOnHost ??= new double[2 * threads];
        dotPartials(stream, threads, direction.View, gradient.View, threads, partials.View);
        partials.View.CopyToCPU(stream, partialsOnHost);
        stream.Synchronize();
        double curvature = 0.0, norm = 0.0;
        for (int t = 0; t < threads; t++)
        {
            curvature += partialsOnHost[t];
            norm += partialsOnHost[threads + t];
        }
        return (curvature, norm);
    }

    // Threads of the dot-product kernel: enough to fill a GPU, few enough that their partial sums cross in microseconds.
    private const int DotThreads = 8192;

    /// <summary>L(θ) at the last <see cref="LinearizedHessian"/>.</summary>
    public double Loss { get; private set; }

    /// <summary>Linearizes at <paramref name="parameters"/> (<see cref="Loss"/> set) and returns the Hessian there as an operator.</summary>
    public ILinearOperator LinearizedHessian(ReadOnlySpan<double> parameters)
    {
        Loss = Linearize(parameters, new double[ParameterCount]);
        return new DeviceCurvatureOperator<T>(this, gaussNewton: false);
    }

    /// <summary><see cref="HessianVectorProduct"/> of the v already on the device, H·v left there (see <see cref="LinearizeOnDevice"/>).</summary>
    public void HessianVectorProductOnDevice()
    {
        var stream = ROutputSeed("Hessian-vector products");
        int rows = data.Count;
        for (int l = layers.Length - 1; l >= 0; l--)
        {
            var (layer, b) = (layers[l], buffers[l]);
            ArrayView<T> previous = l == 0 ? inputs.View : buffers[l - 1].A;
            if (layer.Activation != DenseActivation.Identity) rBackward(stream, (int)b.Z.Length, b.Z, b.A, b.RZ, b.DA, b.RDA, b.RDZ, layer.Activation);
            Gemm(stream, layer.Out, layer.In, rows, b.RDZ, layer.Out, true, previous, layer.In, false, Weights(gradient, layer), 1.0, 0.0);
            if (l > 0) Gemm(stream, layer.Out, layer.In, rows, b.DZ, layer.Out, true, buffers[l - 1].RA, layer.In, false, Weights(gradient, layer), 1.0, 1.0);
            if (layer.HasBias) BiasGradient(stream, rows, layer.Out, b.RDZ, Bias(gradient, layer));
            if (l > 0)
            {
                Gemm(stream, rows, layer.In, layer.Out, b.RDZ, layer.Out, false, Weights(theta, layer), layer.In, false, buffers[l - 1].RDA, 1.0, 0.0);
                Gemm(stream, rows, layer.In, layer.Out, b.DZ, layer.Out, false, Weights(direction, layer), layer.In, false, buffers[l - 1].RDA, 1.0, 1.0);
            }
        }
        stream.Synchronize();
    }

    /// <summary>
    /// G·v = Jᵀ ∇²_z L J v of the v already on the device: the R-forward pass and the loss's output Hessian, then one
    /// plain backward pass (no second-order term of the network); G·v left in the gradient buffer.
    /// </summary>
    public void GaussNewtonVectorProductOnDevice()
    {
        var stream = ROutputSeed("Gauss-Newton products");
        Backward(stream, b => b.RDA, b => b.RDZ);
        stream.Synchronize();
    }

    /// <summary>Linearizes at <paramref name="parameters"/> (<see cref="Loss"/> set) and returns the Gauss-Newton matrix there as an operator.</summary>
    public ILinearOperator LinearizedGaussNewton(ReadOnlySpan<double> parameters)
    {
        Loss = Linearize(parameters, new double[ParameterCount]);
        return new DeviceCurvatureOperator<T>(this, gaussNewton: true);
    }

    // The R-forward pass of the direction on the device, R{z} = R{a_prev} Wᵀ + a_prev Vᵀ + v_b and R{a} = σ'(z) ⊙ R{z}
    // layer by layer, then the loss's output Hessian applied to R{z} of the last layer on the host, back in its RDA:
    // the seed of both the R-backward pass (H·v) and the plain backward pass (G·v).
    private AcceleratorStream ROutputSeed(string products)
    {
        if (!linearized) throw new InvalidOperationException($"Linearize the loss at θ before asking for {products}");
        var stream = BoundStream();
        int rows = data.Count;
        for (int l = 0; l < layers.Length; l++)
        {
            var (layer, b) = (layers[l], buffers[l]);
            ArrayView<T> previous = l == 0 ? inputs.View : buffers[l - 1].A;
            // The inputs do not depend on θ: the first layer has no R{a_prev} W term.
            if (l > 0) Gemm(stream, rows, layer.Out, layer.In, buffers[l - 1].RA, layer.In, false, Weights(theta, layer), layer.In, true, b.RZ, 1.0, 0.0);
            Gemm(stream, rows, layer.Out, layer.In, previous, layer.In, false, Weights(direction, layer), layer.In, true, b.RZ, 1.0, l > 0 ? 1.0 : 0.0);
            if (layer.HasBias || layer.Activation != DenseActivation.Identity)
                biasTimesSlope(stream, (int)b.RZ.Length, b.RZ, layer.HasBias ? Bias(direction, layer) : b.RZ, layer.HasBias ? layer.Out : 0, b.Z, b.A, b.RA, layer.Activation);
        }
        buffers[^1].RA.CopyToCPU(stream, rOutputs);
        stream.Synchronize();
        loss.HessianProduct(outputs, data, 0, rows, rows, rOutputs, rOutputGradient);
        buffers[^1].RDA.CopyFromCPU(stream, rOutputGradient);
        return stream;
    }

    // The accelerator's stream, with its CUDA context made current on the calling thread first (a thread-static check
    // when it already is): CUDA's launches, copies and cuBLAS calls act on the thread's current context, so the engine
    // may be driven from any thread, one at a time.
    private AcceleratorStream BoundStream()
    {
        device.Accelerator.Bind();
        return device.Accelerator.DefaultStream;
    }

    private void Upload(MemoryBuffer1D<T, Stride1D.Dense> target, ReadOnlySpan<double> values, string what)
    {
        CheckLength(values.Length, what);
        for (int i = 0; i < input.Length; i++) input[i] = T.CreateTruncating(values[i]);
        target.View.CopyFromCPU(BoundStream(), input);
    }

    // The gradient buffer (∇L after a linearization, H·v after a product) to the host.
    private void Download(Span<double> result)
    {
        var stream = BoundStream();
        gradient.View.CopyToCPU(stream, output);
        stream.Synchronize();
        for (int i = 0; i < output.Length; i++) result[i] = double.CreateTruncating(output[i]);
    }

    public void Dispose()
    {
        cublas?.Dispose();
        foreach (var b in buffers) b.Dispose();
        inputs.Dispose();
        theta.Dispose();
        direction.Dispose();
        gradient.Dispose();
        ones.Dispose();
        partials?.Dispose();
    }

    // C (m×n) = α op(A) op(B) + β C on row-major storage.
    private void Gemm(AcceleratorStream stream, int m, int n, int k, ArrayView<T> a, int lda, bool transposeA,
        ArrayView<T> b, int ldb, bool transposeB, ArrayView<T> c, double alpha, double beta)
    {
        if (cublas is not null)
        {
            try
            {
                cublas.Gemm<T>(m, n, k, a.LoadEffectiveAddressAsPtr(), lda, transposeA, b.LoadEffectiveAddressAsPtr(), ldb, transposeB,
                    c.LoadEffectiveAddressAsPtr(), alpha, beta);
                return;
            }
            catch (InvalidOperationException e)
            {
                // This product, and every later one, takes the kernel below; the products before it stand.
                cublas.Dispose();
                cublas = null;
                GemmBackend = $"ILGPU tiled kernel ({e.Message})";
            }
        }
        var shape = new GemmShape
        {
            M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = n, TransposeA = transposeA ? 1 : 0, TransposeB = transposeB ? 1 : 0,
            Tile = tile, Alpha = alpha, Beta = beta,
        };
        var config = new KernelConfig(new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile), new Index2D(tile, tile),
            SharedMemoryConfig.RequestDynamic<T>(2 * tile * tile));
        gemm(stream, config, shape, a, b, c);
    }

    // db = Σ_rows dz as the product 1ᵀ·dz (1×rows by rows×out): a GEMV that cuBLAS spreads over the GPU, where a
    // thread per column summing 8,192 rows one after another would wait on each load in turn.
    private void BiasGradient(AcceleratorStream stream, int rows, int columns, ArrayView<T> dz, ArrayView<T> db) =>
        Gemm(stream, 1, columns, rows, ones.View, rows, false, dz, columns, false, db, 1.0, 0.0);

    private static ArrayView<T> Weights(MemoryBuffer1D<T, Stride1D.Dense> parameters, DenseLayer layer) =>
        parameters.View.SubView(layer.WeightOffset, (long)layer.In * layer.Out);

    private static ArrayView<T> Bias(MemoryBuffer1D<T, Stride1D.Dense> parameters, DenseLayer layer) =>
        parameters.View.SubView(layer.WeightOffset + (long)layer.In * layer.Out, layer.Out);

    private void CheckLength(int length, string what)
    {
        if (length != ParameterCount) throw new ArgumentException($"{what} has {length} values, the network has {ParameterCount} parameters");
    }

    // Linear layers in order with their parameter offsets and the activation that follows each.
    private static DenseLayer[] Describe(Network<T> network)
    {
        var result = new List<DenseLayer>();
        int offset = 0;
        foreach (var layer in network.Layers)
        {
            switch (layer)
            {
                case Flatten<T> when result.Count == 0:
                    break;
                case Linear<T> linear:
                    result.Add(new DenseLayer(linear.In, linear.Out, linear.HasBias, offset, DenseActivation.Identity));
                    offset += linear.In * linear.Out + (linear.HasBias ? linear.Out : 0);
                    break;
                case Relu<T> or Tanh<T> when result.Count > 0 && result[^1].Activation == DenseActivation.Identity:
                    result[^1] = result[^1] with { Activation = layer is Relu<T> ? DenseActivation.Relu : DenseActivation.Tanh };
                    break;
                default:
                    throw new NotSupportedException($"the GPU curvature engine runs MLPs (Linear layers, each followed by at most one ReLU or tanh); {network.Description} has {layer.Describe()} there");
            }
        }
        if (result.Count == 0) throw new NotSupportedException($"{network.Description} has no Linear layer");
        if (offset != network.ParameterCount)
            throw new NotSupportedException($"{network.Description}: its parameter layout is not Linear weight then bias, layer by layer");
        return [.. result];
    }
}
