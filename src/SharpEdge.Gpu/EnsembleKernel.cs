using System.Runtime.CompilerServices;
using ILGPU;

namespace SharpEdge.Gpu;

/// <summary>Device buffers of the ensemble, model-major; see <see cref="EnsembleKernel"/> for the layouts.</summary>
internal struct EnsembleViews
{
    /// <summary>Student Wp per model, K×L row-major (the host layout): read at launch start, written at its end.</summary>
    public ArrayView<double> Weights;

    /// <summary>Σ over the launch's steps of the unit errors ⊗ φ1 (only with accumulation), K×L per model.</summary>
    public ArrayView<double> GradientSums;

    /// <summary>φ1 = σ(M x), N×L per model (constant during training, so computed once on the host).</summary>
    public ArrayView<double> Features;

    /// <summary>Teacher labels, N per model.</summary>
    public ArrayView<double> Labels;

    /// <summary>Read-out Z, K per model.</summary>
    public ArrayView<double> Readout;

    /// <summary>lr/bs per model (models of several cells can share a launch).</summary>
    public ArrayView<double> StepScales;

    /// <summary>Sum of the pre-update batch losses of the launch's last epoch, per model.</summary>
    public ArrayView<double> LossSums;

    /// <summary>−1, or the epoch index in which a batch loss exceeded the threshold (the model then stops).</summary>
    public ArrayView<int> DivergedEpochs;

    /// <summary>The batch of that epoch whose update was not applied.</summary>
    public ArrayView<int> DivergedBatches;
}

/// <summary>The divergence rule both ensemble kernels apply to each batch loss.</summary>
internal static class EnsembleDivergence
{
    private const double Threshold = TeacherStudent.TeacherStudentConfig.DivergenceThreshold;

    /// <summary>
    /// True while the batch loss stays at or below 100; past it, lane 0 of the model records the epoch and the batch
    /// whose update is not applied. Strict "&gt;", so NaN never triggers it (phase_ml_spec §3.3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool WithinThreshold(double loss, int k, int model, int epoch, int batch, EnsembleShape shape, EnsembleViews views)
    {
        if (!(loss > Threshold)) return true;
        if (k == 0)
        {
            views.DivergedEpochs[model] = shape.FirstEpoch + epoch;
            views.DivergedBatches[model] = batch;
        }
        return false;
    }
}

/// <summary>Sizes and the epoch range of one launch.</summary>
internal struct EnsembleShape
{
    public int Models, Units, Width, BatchSize, BatchCount, Activation, ModelsPerGroup;
    public int FirstEpoch, Epochs;

    /// <summary>Always 0: a value the PTX compiler cannot know, for <see cref="IFloatOps.Product"/>.</summary>
    public ulong Zero;

    /// <summary>1: also accumulate the batch gradients into <see cref="EnsembleViews.GradientSums"/>.</summary>
    public int Accumulate;

    /// <summary>Row stride of the student in shared memory: L + 1, so the K threads reading W[k, l] hit different banks.</summary>
    public readonly int WeightStride => Width + 1;

    /// <summary>Shared doubles per model: W (K×(L+1)), the batch's φ1 (bs×L), activations then errors (bs×K), scaled errors (bs×K), residuals (bs).</summary>
    public readonly int SharedPerModel => Units * WeightStride + BatchSize * Width + 2 * BatchSize * Units + BatchSize;
}

/// <summary>
/// The SGD kernel of the teacher-student ensemble (phase_ml_spec §3.1): one group of K threads per model, thread k
/// owning row k of the student, several models per thread block, the student and the current batch in shared
/// memory. Each thread block runs <see cref="EnsembleShape.Epochs"/> whole epochs of its models.
/// </summary>
/// <remarks>
/// <para>Why K threads per model rather than one: a model's state (K·L = 512 doubles) cannot live in one thread's
/// registers, so a thread per model would stream it through local memory every step, and 14 400 models are only
/// ~110 threads per H100 SM, too few to hide latency. With K threads each keeps one row, the 2·K·L FMAs of a step
/// spread over K lanes, and the only cross-thread sum per step is ŷ (bs sums of K terms).</para>
/// <para>The order of operations is the CPU trainer's AVX-512 kernel: z_nk as two FMA chains over even and odd l
/// then added; ŷ_n as eight FMA lanes k mod 8 summed ((0+1)+(2+3))+((4+5)+(6+7)); the update an FMA chain over the
/// batch's samples in order, with the step lr/bs folded into the errors first; Σ r² and the loss as the CPU writes
/// them. On an AVX-512 host the two therefore agree bit for bit; elsewhere to rounding. As the CPU kernels do, the
/// forward pass and the update take four samples per register tile, so W[k, l] is read once per four samples.</para>
/// <para><typeparamref name="TOps"/> supplies the FMA and the unfused product of the backend (<see cref="IFloatOps"/>).</para>
/// </remarks>
internal static class EnsembleKernel<TOps> where TOps : struct, IFloatOps
{
    public static void Run(EnsembleShape shape, EnsembleViews views)
    {
        int units = shape.Units, width = shape.Width, batchSize = shape.BatchSize, stride = shape.WeightStride;
        int slot = Group.IdxX / units, k = Group.IdxX - slot * units;
        int model = Grid.IdxX * shape.ModelsPerGroup + slot;
        bool exists = model < shape.Models;
        // Every thread of a model computes the same loss, so they agree on when it stops.
        bool active = exists && views.DivergedEpochs[exists ? model : 0] < 0;

        var shared = SharedMemory.GetDynamic<double>();
        int weightBase = slot * shape.SharedPerModel;
        int featureBase = weightBase + units * stride;
        int errorBase = featureBase + batchSize * width;
        int stepBase = errorBase + batchSize * units;
        int residualBase = stepBase + batchSize * units;
        long rowOffset = ((long)model * units + k) * width;
        long samples = (long)batchSize * shape.BatchCount;

        if (exists)
            for (int l = 0; l < width; l++) shared[weightBase + k * stride + l] = views.Weights[rowOffset + l];
        double readout = exists ? views.Readout[(long)model * units + k] : 0.0;
        double stepScale = exists ? views.StepScales[model] : 0.0;

        for (int epoch = 0; epoch < shape.Epochs; epoch++)
        {
            double lossSum = 0.0;
            for (int batch = 0; batch < shape.BatchCount; batch++)
            {
                long firstSample = (long)model * samples + (long)batch * batchSize;
                if (active)
                    for (int i = k; i < batchSize * width; i += units) shared[featureBase + i] = views.Features[firstSample * width + i];
                Group.Barrier();

                if (active)
                {
                    int weightRow = weightBase + k * stride;
                    int n = 0;
                    for (; n + SampleTile <= batchSize; n += SampleTile)
                        Forward4(shared, weightRow, featureBase + n * width, width, errorBase + n * units + k, units, shape.Activation, shape.Zero);
                    for (; n < batchSize; n++)
                        Forward1(shared, weightRow, featureBase + n * width, width, errorBase + n * units + k, shape.Activation, shape.Zero);
                }
                Group.Barrier();

                if (active)
                    for (int n = k; n < batchSize; n += units)
                    {
                        double output = Output(shared, errorBase + n * units, views.Readout, (long)model * units, units);
                        shared[residualBase + n] = views.Labels[firstSample + n] - output;
                    }
                Group.Barrier();

                if (active)
                {
                    double squaredErrors = 0.0;
                    for (int n = 0; n < batchSize; n++)
                    {
                        double residual = shared[residualBase + n];
                        squaredErrors += default(TOps).Product(residual, residual, shape.Zero);
                    }
                    double loss = 0.5 * (squaredErrors / batchSize);
                    if (EnsembleDivergence.WithinThreshold(loss, k, model, epoch, batch, shape, views)) lossSum += loss;
                    else active = false;
                }
                if (active)
                {
                    for (int n = 0; n < batchSize; n++)
                    {
                        int at = n * units + k;
                        double error = (readout * shared[residualBase + n]) * KernelMath<TOps>.Slope(shape.Activation, shared[errorBase + at], shape.Zero);
                        shared[errorBase + at] = error;
                        shared[stepBase + at] = stepScale * error;
                    }
                    int weightRow = weightBase + k * stride;
                    AddOuterProducts(shared, weightRow, shared, stepBase + k, units, featureBase, width, batchSize);
                    if (shape.Accumulate != 0)
                        AddOuterProducts(views.GradientSums, rowOffset, shared, errorBase + k, units, featureBase, width, batchSize);
                }
                // The next batch overwrites φ1, activations and residuals that other threads of the model still read.
                Group.Barrier();
            }
            if (active && k == 0) views.LossSums[model] = lossSum;
        }

        if (exists)
            for (int l = 0; l < width; l++) views.Weights[rowOffset + l] = shared[weightBase + k * stride + l];
    }

    // Samples per register tile, as the CPU kernels' Forward4/Update4: each W[k, l] is loaded once per four samples.
    private const int SampleTile = 4;

    // σ(z) for four samples n … n+3 of unit k: z as two FMA chains over even and odd l, then added (Forward4 of the
    // AVX-512 kernel); results at output + i·units.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward4(ArrayView<double> shared, int weightRow, int features, int width, int output, int units, int activation, ulong zero)
    {
        double e0 = 0.0, e1 = 0.0, e2 = 0.0, e3 = 0.0, o0 = 0.0, o1 = 0.0, o2 = 0.0, o3 = 0.0;
        int f1 = features + width, f2 = f1 + width, f3 = f2 + width;
        int l = 0;
        for (; l + 2 <= width; l += 2)
        {
            double w = shared[weightRow + l], v = shared[weightRow + l + 1];
            e0 = default(TOps).Fma(w, shared[features + l], e0);
            e1 = default(TOps).Fma(w, shared[f1 + l], e1);
            e2 = default(TOps).Fma(w, shared[f2 + l], e2);
            e3 = default(TOps).Fma(w, shared[f3 + l], e3);
            o0 = default(TOps).Fma(v, shared[features + l + 1], o0);
            o1 = default(TOps).Fma(v, shared[f1 + l + 1], o1);
            o2 = default(TOps).Fma(v, shared[f2 + l + 1], o2);
            o3 = default(TOps).Fma(v, shared[f3 + l + 1], o3);
        }
        if (l < width)
        {
            double w = shared[weightRow + l];
            e0 = default(TOps).Fma(w, shared[features + l], e0);
            e1 = default(TOps).Fma(w, shared[f1 + l], e1);
            e2 = default(TOps).Fma(w, shared[f2 + l], e2);
            e3 = default(TOps).Fma(w, shared[f3 + l], e3);
        }
        shared[output] = KernelMath<TOps>.Activate(activation, e0 + o0, zero);
        shared[output + units] = KernelMath<TOps>.Activate(activation, e1 + o1, zero);
        shared[output + 2 * units] = KernelMath<TOps>.Activate(activation, e2 + o2, zero);
        shared[output + 3 * units] = KernelMath<TOps>.Activate(activation, e3 + o3, zero);
    }

    // One sample (the batch's remainder), in the same order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward1(ArrayView<double> shared, int weightRow, int features, int width, int output, int activation, ulong zero)
    {
        double even = 0.0, odd = 0.0;
        int l = 0;
        for (; l + 2 <= width; l += 2)
        {
            even = default(TOps).Fma(shared[weightRow + l], shared[features + l], even);
            odd = default(TOps).Fma(shared[weightRow + l + 1], shared[features + l + 1], odd);
        }
        if (l < width) even = default(TOps).Fma(shared[weightRow + l], shared[features + l], even);
        shared[output] = KernelMath<TOps>.Activate(activation, even + odd, zero);
    }

    // target[row + l] += Σ_n shared[factors + n·units] · φ1[n, l] for l < L: per element an FMA chain over the samples in
    // order (the CPU's Update4 then Update1), four samples' factors held in registers at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddOuterProducts(ArrayView<double> target, long row, ArrayView<double> shared, int factors, int units, int features, int width, int batchSize)
    {
        int n = 0;
        for (; n + SampleTile <= batchSize; n += SampleTile)
        {
            double d0 = shared[factors + n * units], d1 = shared[factors + (n + 1) * units];
            double d2 = shared[factors + (n + 2) * units], d3 = shared[factors + (n + 3) * units];
            int f0 = features + n * width, f1 = f0 + width, f2 = f1 + width, f3 = f2 + width;
            for (int l = 0; l < width; l++)
            {
                double value = default(TOps).Fma(d0, shared[f0 + l], target[row + l]);
                value = default(TOps).Fma(d1, shared[f1 + l], value);
                value = default(TOps).Fma(d2, shared[f2 + l], value);
                target[row + l] = default(TOps).Fma(d3, shared[f3 + l], value);
            }
        }
        for (; n < batchSize; n++)
        {
            double d = shared[factors + n * units];
            int f = features + n * width;
            for (int l = 0; l < width; l++) target[row + l] = default(TOps).Fma(d, shared[f + l], target[row + l]);
        }
    }

    // ŷ = Σ_k Z_k φ2_k as the AVX-512 kernel sums it: lane j accumulates k = j, j + 8, … by FMA, then the lanes
    // are added pairwise ((0+1)+(2+3))+((4+5)+(6+7)), as Vector512.Sum does.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Output(ArrayView<double> shared, int hiddenBase, ArrayView<double> readout, long readoutBase, int units)
    {
        double lane0 = 0.0, lane1 = 0.0, lane2 = 0.0, lane3 = 0.0, lane4 = 0.0, lane5 = 0.0, lane6 = 0.0, lane7 = 0.0;
        for (int tile = 0; tile < units; tile += 8)
        {
            lane0 = Lane(shared, hiddenBase, readout, readoutBase, units, tile, lane0);
            lane1 = Lane(shared, hiddenBase, readout, readoutBase, units, tile + 1, lane1);
            lane2 = Lane(shared, hiddenBase, readout, readoutBase, units, tile + 2, lane2);
            lane3 = Lane(shared, hiddenBase, readout, readoutBase, units, tile + 3, lane3);
            lane4 = Lane(shared, hiddenBase, readout, readoutBase, units, tile + 4, lane4);
            lane5 = Lane(shared, hiddenBase, readout, readoutBase, units, tile + 5, lane5);
            lane6 = Lane(shared, hiddenBase, readout, readoutBase, units, tile + 6, lane6);
            lane7 = Lane(shared, hiddenBase, readout, readoutBase, units, tile + 7, lane7);
        }
        return ((lane0 + lane1) + (lane2 + lane3)) + ((lane4 + lane5) + (lane6 + lane7));
    }

    // Units past K are the CPU kernel's zero padding: they leave the lane unchanged.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Lane(ArrayView<double> shared, int hiddenBase, ArrayView<double> readout, long readoutBase, int units, int k, double lane) =>
        k < units ? default(TOps).Fma(readout[readoutBase + k], shared[hiddenBase + k], lane) : lane;
}
