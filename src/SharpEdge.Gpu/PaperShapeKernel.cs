using System.Runtime.CompilerServices;
using ILGPU;

namespace SharpEdge.Gpu;

/// <summary>The paper's shape (K = 16, L = 32, four samples per step) and <see cref="PaperShapeKernel{TOps, TActivation}"/>'s layout.</summary>
internal static class PaperShape
{
    public const int Units = 16, Width = StudentRow32.Width, BatchSize = 4;

    /// <summary>Models per warp: 32 lanes / K.</summary>
    public const int ModelsPerWarp = 2;

    /// <summary>Doubles of a batch buffer: the batch's φ1 (4×32) and its four labels.</summary>
    public const int BatchBuffer = BatchSize * Width + BatchSize;

    /// <summary>Shared doubles per model: two batch buffers, one computed on while the next batch is staged in the other.</summary>
    public const int SharedPerModel = 2 * BatchBuffer;

    /// <summary>True when <paramref name="shape"/> is the shape the kernel is written for.</summary>
    public static bool Fits(EnsembleShape shape) => shape.Units == Units && shape.Width == Width && shape.BatchSize == BatchSize;
}

/// <summary>
/// The SGD kernel for the paper's shape (K = 16, L = 32, four samples per step), compiled per activation, the one the whole phase diagram
/// trains: 16 lanes per model, two models per warp, lane k holding row k of the student in registers
/// (<see cref="StudentRow32"/>). The same results, bit for bit, as <see cref="EnsembleKernel{TOps}"/> and the CPU trainer.
/// </summary>
/// <remarks>
/// <para>Why it is faster than the general kernel: W never goes through shared memory (the general kernel reads and
/// writes it there every step, which bounds it by shared-memory bandwidth); ŷ is summed by warp shuffles rather than
/// in shared memory; the only synchronisation is the warp's, since a model never spans two warps; and the next
/// batch's φ1 and labels are loaded from global memory while the current batch is computed, so the load latency
/// is hidden. Shared memory holds only the current batch (132 doubles per model).</para>
/// <para>ŷ in the AVX-512 kernel's order: lane j &lt; 8 of the CPU holds fma(Z[j+8], h[j+8], Z[j]·h[j]); here lane
/// k ≥ 8 computes that value for j = k − 8 from its partner's product (xor 8), the three pairwise additions are
/// butterflies over xor 1, 2 and 4 (IEEE addition commutes exactly, so both partners get the same sum), and lanes
/// k &lt; 8 take the result from lane k + 8.</para>
/// </remarks>
internal static class PaperShapeKernel<TOps, TActivation> where TOps : struct, IFloatOps where TActivation : struct, IActivationUnits
{
    private const int Units = PaperShape.Units, Width = PaperShape.Width, BatchSize = PaperShape.BatchSize;
    private const int BatchBuffer = PaperShape.BatchBuffer, LabelsAt = BatchSize * Width;

    public static void Run(EnsembleShape shape, EnsembleViews views)
    {
        int lane = Warp.LaneIdx, k = lane & (Units - 1);
        int slot = Group.IdxX / Units;
        int model = Grid.IdxX * shape.ModelsPerGroup + slot;
        bool exists = model < shape.Models;
        // Lanes of a missing model (the grid's last warp) compute on the last model and write nothing: every lane
        // of a warp must take part in the shuffles.
        int source = exists ? model : shape.Models - 1;
        bool active = exists && views.DivergedEpochs[source] < 0;

        var shared = SharedMemory.GetDynamic<double>();
        var buffers = shared.SubView(slot * PaperShape.SharedPerModel, PaperShape.SharedPerModel);
        long rowOffset = ((long)source * Units + k) * Width;
        long samples = (long)BatchSize * shape.BatchCount;
        long featureBase = source * samples * Width, labelBase = source * samples;

        var row = StudentRow32.Load(views.Weights, rowOffset);
        double readout = views.Readout[(long)source * Units + k];
        double stepScale = views.StepScales[source];

        Stage(buffers.SubView(0, BatchBuffer), Prefetch(views, featureBase, labelBase, 0, k), k);
        int current = 0;
        for (int epoch = 0; epoch < shape.Epochs; epoch++)
        {
            double lossSum = 0.0;
            for (int batch = 0; batch < shape.BatchCount; batch++)
            {
                // The current batch is staged by every lane, and nobody reads the other buffer any more.
                Warp.Barrier();
                int following = batch + 1 == shape.BatchCount ? 0 : batch + 1;
                var next = Prefetch(views, featureBase, labelBase, following, k);
                var batchView = buffers.SubView(current * BatchBuffer, BatchBuffer);
                var z = StudentRow32.Forward4<TOps>(row, batchView);
                // The next batch's loads have had the forward pass to arrive; staging them now frees their registers
                // for the rest of the step.
                Stage(buffers.SubView((current ^ 1) * BatchBuffer, BatchBuffer), next, k);
                current ^= 1;

                Tile4 hidden;
                hidden.S0 = default(TActivation).Activate(z.S0, shape.Zero);
                hidden.S1 = default(TActivation).Activate(z.S1, shape.Zero);
                hidden.S2 = default(TActivation).Activate(z.S2, shape.Zero);
                hidden.S3 = default(TActivation).Activate(z.S3, shape.Zero);

                Tile4 residual;
                residual.S0 = batchView[LabelsAt] - Output(readout, hidden.S0, k);
                residual.S1 = batchView[LabelsAt + 1] - Output(readout, hidden.S1, k);
                residual.S2 = batchView[LabelsAt + 2] - Output(readout, hidden.S2, k);
                residual.S3 = batchView[LabelsAt + 3] - Output(readout, hidden.S3, k);

                if (active)
                {
                    double squaredErrors = default(TOps).Product(residual.S0, residual.S0, shape.Zero);
                    squaredErrors += default(TOps).Product(residual.S1, residual.S1, shape.Zero);
                    squaredErrors += default(TOps).Product(residual.S2, residual.S2, shape.Zero);
                    squaredErrors += default(TOps).Product(residual.S3, residual.S3, shape.Zero);
                    double loss = 0.5 * (squaredErrors * (1.0 / BatchSize));   // ÷4 exactly, without a division's branch
                    if (EnsembleDivergence.WithinThreshold(loss, k, model, epoch, batch, shape, views)) lossSum += loss;
                    else active = false;
                }
                if (active)
                {
                    Tile4 error, step;
                    error.S0 = (readout * residual.S0) * default(TActivation).Slope(hidden.S0, shape.Zero);
                    error.S1 = (readout * residual.S1) * default(TActivation).Slope(hidden.S1, shape.Zero);
                    error.S2 = (readout * residual.S2) * default(TActivation).Slope(hidden.S2, shape.Zero);
                    error.S3 = (readout * residual.S3) * default(TActivation).Slope(hidden.S3, shape.Zero);
                    step.S0 = stepScale * error.S0;
                    step.S1 = stepScale * error.S1;
                    step.S2 = stepScale * error.S2;
                    step.S3 = stepScale * error.S3;
                    row = StudentRow32.Update4<TOps>(row, step, batchView);
                    if (shape.Accumulate != 0) Accumulate(views.GradientSums, rowOffset, error, batchView);
                }
            }
            if (active && k == 0) views.LossSums[model] = lossSum;
        }
        if (exists) StudentRow32.Store(row, views.Weights, rowOffset);
    }

    // A batch's share of one lane: φ1 values k, k + 16, …, k + 112 (each load and store touches 16 consecutive
    // doubles, so global loads coalesce and shared stores hit distinct banks) and, for k < 4, label k.
    private struct Staging
    {
        public double F0, F1, F2, F3, F4, F5, F6, F7, Label;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Staging Prefetch(EnsembleViews views, long featureBase, long labelBase, int batch, int k)
    {
        long at = featureBase + (long)batch * BatchSize * Width + k;
        Staging s;
        s.F0 = views.Features[at + 0];
        s.F1 = views.Features[at + 16];
        s.F2 = views.Features[at + 32];
        s.F3 = views.Features[at + 48];
        s.F4 = views.Features[at + 64];
        s.F5 = views.Features[at + 80];
        s.F6 = views.Features[at + 96];
        s.F7 = views.Features[at + 112];
        s.Label = views.Labels[labelBase + (long)batch * BatchSize + (k & (BatchSize - 1))];
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Stage(ArrayView<double> buffer, Staging s, int k)
    {
        buffer[k + 0] = s.F0;
        buffer[k + 16] = s.F1;
        buffer[k + 32] = s.F2;
        buffer[k + 48] = s.F3;
        buffer[k + 64] = s.F4;
        buffer[k + 80] = s.F5;
        buffer[k + 96] = s.F6;
        buffer[k + 112] = s.F7;
        if (k < BatchSize) buffer[LabelsAt + k] = s.Label;
    }

    // ŷ = Σ_k Z_k h_k over the model's 16 lanes, in the AVX-512 kernel's order (see the remarks); every lane gets it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Output(double readout, double hidden, int k)
    {
        double product = default(TOps).Fma(readout, hidden, 0.0);
        double lane = default(TOps).Fma(readout, hidden, Warp.ShuffleXor(product, 8));
        double sum = lane + Warp.ShuffleXor(lane, 1);
        sum += Warp.ShuffleXor(sum, 2);
        sum += Warp.ShuffleXor(sum, 4);
        double upper = Warp.ShuffleXor(sum, 8);
        return k >= 8 ? sum : upper;
    }

    // Σ over the batch of error_n ⊗ φ1_n into the launch's gradient sums (save epochs only), each element an FMA
    // chain over n in order, as the general kernel's AddOuterProducts.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(ArrayView<double> sums, long row, Tile4 error, ArrayView<double> phi)
    {
        for (int l = 0; l < Width; l++)
        {
            double value = default(TOps).Fma(error.S0, phi[l], sums[row + l]);
            value = default(TOps).Fma(error.S1, phi[Width + l], value);
            value = default(TOps).Fma(error.S2, phi[2 * Width + l], value);
            sums[row + l] = default(TOps).Fma(error.S3, phi[3 * Width + l], value);
        }
    }
}
