using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpEdge.TeacherStudent;

/// <summary>
/// One SGD epoch with AVX-512, SIMD along the K units (phase_ml_spec §9.2): z_n[k-tile] = Σ_l Wᵀ[l, k-tile]·φ1_nl
/// with φ1_nl broadcast, so neither the forward pass nor the rank-bs update needs a horizontal sum; only
/// ŷ_n = Z·φ2_n does, once per sample. Tiles are 16 units (two vectors) × 4 samples; the forward pass keeps 16
/// independent accumulators (even and odd l) to fill both FMA pipes.
/// </summary>
/// <remarks>
/// Layout chosen by measurement on a Zen 5 core (paper configuration, µs per model-step, best of 9): this one
/// 0.18–0.20; SIMD along L with transposing reductions for z 0.34; eight models per vector lane (8 MB of
/// features per core) 0.22–0.29; two models interleaved in one loop 0.20; this layout with Vector256 0.30.
/// About half of the step is the 64 tanh evaluations, the rest the two 16×32 FMA passes.
/// </remarks>
internal static unsafe class Avx512SgdKernel
{
    public const int UnitTile = 16;
    private const int SampleTile = 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static EpochOutcome RunEpoch<TActivation>(in SgdBuffers buffers) where TActivation : struct, IActivationKernel
    {
        int width = buffers.Width, units = buffers.PaddedUnits, batchSize = buffers.BatchSize;
        double* weights = buffers.Weights, activations = buffers.Activations, errors = buffers.UnitErrors;
        double* residuals = buffers.Residuals, readout = buffers.Readout;
        int batchValues = batchSize * units;
        double lossSum = 0.0;
        for (int batch = 0; batch < buffers.BatchCount; batch++)
        {
            double* features = buffers.Features + (long)batch * batchSize * width;
            double* labels = buffers.Labels + (long)batch * batchSize;

            for (int tile = 0; tile < units; tile += UnitTile)
            {
                int n = 0;
                for (; n + SampleTile <= batchSize; n += SampleTile)
                    Forward4(weights + tile, units, features + n * width, width, activations + n * units + tile);
                for (; n < batchSize; n++)
                    Forward1(weights + tile, units, features + n * width, width, activations + n * units + tile);
            }
            for (int i = 0; i < batchValues; i += Vector512<double>.Count)
                TActivation.Apply(Vector512.Load(activations + i)).Store(activations + i);

            double squaredErrors = 0.0;
            for (int n = 0; n < batchSize; n++)
            {
                double* hidden = activations + n * units;
                Vector512<double> output = Vector512<double>.Zero;
                for (int k = 0; k < units; k += Vector512<double>.Count)
                    output = Avx512F.FusedMultiplyAdd(Vector512.Load(readout + k), Vector512.Load(hidden + k), output);
                double residual = labels[n] - Vector512.Sum(output);
                residuals[n] = residual;
                squaredErrors += residual * residual;
            }
            double loss = 0.5 * (squaredErrors / batchSize);
            // Strict ">" before the update, so NaN never triggers it (phase_ml_spec §3.3).
            if (loss > TeacherStudentConfig.DivergenceThreshold) return new EpochOutcome(lossSum, batch);
            lossSum += loss;

            for (int n = 0; n < batchSize; n++)
            {
                Vector512<double> residual = Vector512.Create(residuals[n]);
                double* hidden = activations + n * units, error = errors + n * units;
                for (int k = 0; k < units; k += Vector512<double>.Count)
                {
                    Vector512<double> weighted = Avx512F.Multiply(Vector512.Load(readout + k), residual);
                    Avx512F.Multiply(weighted, TActivation.Slope(Vector512.Load(hidden + k))).Store(error + k);
                }
            }

            AddOuterProducts(weights, units, features, width, errors, batchSize, buffers.StepScale);
            if (buffers.AccumulateGradient)
                AddOuterProducts(buffers.GradientSum, units, features, width, errors, batchSize, 1.0);
        }
        return new EpochOutcome(lossSum, -1);
    }

    // target (L×Kp) += scale · Σ_n errors_n ⊗ φ1_n over the batch.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddOuterProducts(double* target, int units, double* features, int width, double* errors, int batchSize, double scale)
    {
        for (int tile = 0; tile < units; tile += UnitTile)
        {
            int n = 0;
            for (; n + SampleTile <= batchSize; n += SampleTile)
                Update4(target + tile, units, features + n * width, width, errors + n * units + tile, scale);
            for (; n < batchSize; n++)
                Update1(target + tile, units, features + n * width, width, errors + n * units + tile, scale);
        }
    }

    // output[s][0..16) = Σ_l weights[l·stride + 0..16) · features[s·width + l] for samples s = 0..3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward4(double* weights, int stride, double* features, int width, double* output)
    {
        double* f0 = features, f1 = features + width, f2 = features + 2 * width, f3 = features + 3 * width;
        Vector512<double> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        Vector512<double> b00 = default, b01 = default, b10 = default, b11 = default, b20 = default, b21 = default, b30 = default, b31 = default;
        int l = 0;
        for (; l + 2 <= width; l += 2)
        {
            double* row = weights + l * stride;
            Vector512<double> w0 = Vector512.Load(row), w1 = Vector512.Load(row + 8);
            Vector512<double> x0 = Vector512.Create(f0[l]), x1 = Vector512.Create(f1[l]), x2 = Vector512.Create(f2[l]), x3 = Vector512.Create(f3[l]);
            a00 = Avx512F.FusedMultiplyAdd(w0, x0, a00); a01 = Avx512F.FusedMultiplyAdd(w1, x0, a01);
            a10 = Avx512F.FusedMultiplyAdd(w0, x1, a10); a11 = Avx512F.FusedMultiplyAdd(w1, x1, a11);
            a20 = Avx512F.FusedMultiplyAdd(w0, x2, a20); a21 = Avx512F.FusedMultiplyAdd(w1, x2, a21);
            a30 = Avx512F.FusedMultiplyAdd(w0, x3, a30); a31 = Avx512F.FusedMultiplyAdd(w1, x3, a31);
            row += stride;
            w0 = Vector512.Load(row); w1 = Vector512.Load(row + 8);
            x0 = Vector512.Create(f0[l + 1]); x1 = Vector512.Create(f1[l + 1]); x2 = Vector512.Create(f2[l + 1]); x3 = Vector512.Create(f3[l + 1]);
            b00 = Avx512F.FusedMultiplyAdd(w0, x0, b00); b01 = Avx512F.FusedMultiplyAdd(w1, x0, b01);
            b10 = Avx512F.FusedMultiplyAdd(w0, x1, b10); b11 = Avx512F.FusedMultiplyAdd(w1, x1, b11);
            b20 = Avx512F.FusedMultiplyAdd(w0, x2, b20); b21 = Avx512F.FusedMultiplyAdd(w1, x2, b21);
            b30 = Avx512F.FusedMultiplyAdd(w0, x3, b30); b31 = Avx512F.FusedMultiplyAdd(w1, x3, b31);
        }
        if (l < width)
        {
            double* row = weights + l * stride;
            Vector512<double> w0 = Vector512.Load(row), w1 = Vector512.Load(row + 8);
            Vector512<double> x0 = Vector512.Create(f0[l]), x1 = Vector512.Create(f1[l]), x2 = Vector512.Create(f2[l]), x3 = Vector512.Create(f3[l]);
            a00 = Avx512F.FusedMultiplyAdd(w0, x0, a00); a01 = Avx512F.FusedMultiplyAdd(w1, x0, a01);
            a10 = Avx512F.FusedMultiplyAdd(w0, x1, a10); a11 = Avx512F.FusedMultiplyAdd(w1, x1, a11);
            a20 = Avx512F.FusedMultiplyAdd(w0, x2, a20); a21 = Avx512F.FusedMultiplyAdd(w1, x2, a21);
            a30 = Avx512F.FusedMultiplyAdd(w0, x3, a30); a31 = Avx512F.FusedMultiplyAdd(w1, x3, a31);
        }
        Avx512F.Add(a00, b00).Store(output); Avx512F.Add(a01, b01).Store(output + 8);
        output += stride;
        Avx512F.Add(a10, b10).Store(output); Avx512F.Add(a11, b11).Store(output + 8);
        output += stride;
        Avx512F.Add(a20, b20).Store(output); Avx512F.Add(a21, b21).Store(output + 8);
        output += stride;
        Avx512F.Add(a30, b30).Store(output); Avx512F.Add(a31, b31).Store(output + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward1(double* weights, int stride, double* features, int width, double* output)
    {
        Vector512<double> a0 = default, a1 = default, b0 = default, b1 = default;
        int l = 0;
        for (; l + 2 <= width; l += 2)
        {
            double* row = weights + l * stride;
            Vector512<double> x = Vector512.Create(features[l]), y = Vector512.Create(features[l + 1]);
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(row), x, a0);
            a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(row + 8), x, a1);
            b0 = Avx512F.FusedMultiplyAdd(Vector512.Load(row + stride), y, b0);
            b1 = Avx512F.FusedMultiplyAdd(Vector512.Load(row + stride + 8), y, b1);
        }
        if (l < width)
        {
            double* row = weights + l * stride;
            Vector512<double> x = Vector512.Create(features[l]);
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(row), x, a0);
            a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(row + 8), x, a1);
        }
        Avx512F.Add(a0, b0).Store(output);
        Avx512F.Add(a1, b1).Store(output + 8);
    }

    // target[l·stride + 0..16) += Σ_s (scale·errors[s·stride + 0..16)) · features[s·width + l], s = 0..3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update4(double* target, int stride, double* features, int width, double* errors, double scale)
    {
        Vector512<double> factor = Vector512.Create(scale);
        Vector512<double> d00 = Avx512F.Multiply(factor, Vector512.Load(errors)), d01 = Avx512F.Multiply(factor, Vector512.Load(errors + 8));
        errors += stride;
        Vector512<double> d10 = Avx512F.Multiply(factor, Vector512.Load(errors)), d11 = Avx512F.Multiply(factor, Vector512.Load(errors + 8));
        errors += stride;
        Vector512<double> d20 = Avx512F.Multiply(factor, Vector512.Load(errors)), d21 = Avx512F.Multiply(factor, Vector512.Load(errors + 8));
        errors += stride;
        Vector512<double> d30 = Avx512F.Multiply(factor, Vector512.Load(errors)), d31 = Avx512F.Multiply(factor, Vector512.Load(errors + 8));
        double* f0 = features, f1 = features + width, f2 = features + 2 * width, f3 = features + 3 * width;
        for (int l = 0; l < width; l++)
        {
            double* row = target + l * stride;
            Vector512<double> x0 = Vector512.Create(f0[l]), x1 = Vector512.Create(f1[l]), x2 = Vector512.Create(f2[l]), x3 = Vector512.Create(f3[l]);
            Vector512<double> u0 = Avx512F.FusedMultiplyAdd(d00, x0, Vector512.Load(row));
            Vector512<double> u1 = Avx512F.FusedMultiplyAdd(d01, x0, Vector512.Load(row + 8));
            u0 = Avx512F.FusedMultiplyAdd(d10, x1, u0); u1 = Avx512F.FusedMultiplyAdd(d11, x1, u1);
            u0 = Avx512F.FusedMultiplyAdd(d20, x2, u0); u1 = Avx512F.FusedMultiplyAdd(d21, x2, u1);
            u0 = Avx512F.FusedMultiplyAdd(d30, x3, u0); u1 = Avx512F.FusedMultiplyAdd(d31, x3, u1);
            u0.Store(row);
            u1.Store(row + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update1(double* target, int stride, double* features, int width, double* errors, double scale)
    {
        Vector512<double> factor = Vector512.Create(scale);
        Vector512<double> d0 = Avx512F.Multiply(factor, Vector512.Load(errors)), d1 = Avx512F.Multiply(factor, Vector512.Load(errors + 8));
        for (int l = 0; l < width; l++)
        {
            double* row = target + l * stride;
            Vector512<double> x = Vector512.Create(features[l]);
            Avx512F.FusedMultiplyAdd(d0, x, Vector512.Load(row)).Store(row);
            Avx512F.FusedMultiplyAdd(d1, x, Vector512.Load(row + 8)).Store(row + 8);
        }
    }
}
