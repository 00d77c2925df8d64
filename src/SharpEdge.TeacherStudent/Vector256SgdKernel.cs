using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpEdge.TeacherStudent;

/// <summary>
/// One SGD epoch with AVX2 + FMA: the layout of <see cref="Avx512SgdKernel"/> (SIMD along the K units, φ1
/// broadcast) on 4-double vectors. Tiles are 8 units (two vectors) × 4 samples: 8 accumulators, so the
/// kernel fits the 16 vector registers of AVX2-only machines without spilling.
/// </summary>
internal static unsafe class Vector256SgdKernel
{
    public const int UnitTile = 8;
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
            for (int i = 0; i < batchValues; i += Vector256<double>.Count)
                TActivation.Apply(Vector256.Load(activations + i)).Store(activations + i);

            double squaredErrors = 0.0;
            for (int n = 0; n < batchSize; n++)
            {
                double* hidden = activations + n * units;
                Vector256<double> output = Vector256<double>.Zero;
                for (int k = 0; k < units; k += Vector256<double>.Count)
                    output = Fma.MultiplyAdd(Vector256.Load(readout + k), Vector256.Load(hidden + k), output);
                double residual = labels[n] - Vector256.Sum(output);
                residuals[n] = residual;
                squaredErrors += residual * residual;
            }
            double loss = 0.5 * (squaredErrors / batchSize);
            // Strict ">" before the update, so NaN never triggers it (phase_ml_spec §3.3).
            if (loss > TeacherStudentConfig.DivergenceThreshold) return new EpochOutcome(lossSum, batch);
            lossSum += loss;

            for (int n = 0; n < batchSize; n++)
            {
                Vector256<double> residual = Vector256.Create(residuals[n]);
                double* hidden = activations + n * units, error = errors + n * units;
                for (int k = 0; k < units; k += Vector256<double>.Count)
                {
                    Vector256<double> weighted = Avx.Multiply(Vector256.Load(readout + k), residual);
                    Avx.Multiply(weighted, TActivation.Slope(Vector256.Load(hidden + k))).Store(error + k);
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

    // output[s][0..8) = Σ_l weights[l·stride + 0..8) · features[s·width + l] for samples s = 0..3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward4(double* weights, int stride, double* features, int width, double* output)
    {
        double* f0 = features, f1 = features + width, f2 = features + 2 * width, f3 = features + 3 * width;
        Vector256<double> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        for (int l = 0; l < width; l++)
        {
            double* row = weights + l * stride;
            Vector256<double> w0 = Vector256.Load(row), w1 = Vector256.Load(row + 4);
            Vector256<double> x0 = Vector256.Create(f0[l]), x1 = Vector256.Create(f1[l]), x2 = Vector256.Create(f2[l]), x3 = Vector256.Create(f3[l]);
            a00 = Fma.MultiplyAdd(w0, x0, a00); a01 = Fma.MultiplyAdd(w1, x0, a01);
            a10 = Fma.MultiplyAdd(w0, x1, a10); a11 = Fma.MultiplyAdd(w1, x1, a11);
            a20 = Fma.MultiplyAdd(w0, x2, a20); a21 = Fma.MultiplyAdd(w1, x2, a21);
            a30 = Fma.MultiplyAdd(w0, x3, a30); a31 = Fma.MultiplyAdd(w1, x3, a31);
        }
        a00.Store(output); a01.Store(output + 4);
        output += stride;
        a10.Store(output); a11.Store(output + 4);
        output += stride;
        a20.Store(output); a21.Store(output + 4);
        output += stride;
        a30.Store(output); a31.Store(output + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward1(double* weights, int stride, double* features, int width, double* output)
    {
        Vector256<double> a0 = default, a1 = default;
        for (int l = 0; l < width; l++)
        {
            double* row = weights + l * stride;
            Vector256<double> x = Vector256.Create(features[l]);
            a0 = Fma.MultiplyAdd(Vector256.Load(row), x, a0);
            a1 = Fma.MultiplyAdd(Vector256.Load(row + 4), x, a1);
        }
        a0.Store(output);
        a1.Store(output + 4);
    }

    // target[l·stride + 0..8) += Σ_s (scale·errors[s·stride + 0..8)) · features[s·width + l], s = 0..3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update4(double* target, int stride, double* features, int width, double* errors, double scale)
    {
        Vector256<double> factor = Vector256.Create(scale);
        Vector256<double> d00 = Avx.Multiply(factor, Vector256.Load(errors)), d01 = Avx.Multiply(factor, Vector256.Load(errors + 4));
        errors += stride;
        Vector256<double> d10 = Avx.Multiply(factor, Vector256.Load(errors)), d11 = Avx.Multiply(factor, Vector256.Load(errors + 4));
        errors += stride;
        Vector256<double> d20 = Avx.Multiply(factor, Vector256.Load(errors)), d21 = Avx.Multiply(factor, Vector256.Load(errors + 4));
        errors += stride;
        Vector256<double> d30 = Avx.Multiply(factor, Vector256.Load(errors)), d31 = Avx.Multiply(factor, Vector256.Load(errors + 4));
        double* f0 = features, f1 = features + width, f2 = features + 2 * width, f3 = features + 3 * width;
        for (int l = 0; l < width; l++)
        {
            double* row = target + l * stride;
            Vector256<double> x0 = Vector256.Create(f0[l]), x1 = Vector256.Create(f1[l]), x2 = Vector256.Create(f2[l]), x3 = Vector256.Create(f3[l]);
            Vector256<double> u0 = Fma.MultiplyAdd(d00, x0, Vector256.Load(row));
            Vector256<double> u1 = Fma.MultiplyAdd(d01, x0, Vector256.Load(row + 4));
            u0 = Fma.MultiplyAdd(d10, x1, u0); u1 = Fma.MultiplyAdd(d11, x1, u1);
            u0 = Fma.MultiplyAdd(d20, x2, u0); u1 = Fma.MultiplyAdd(d21, x2, u1);
            u0 = Fma.MultiplyAdd(d30, x3, u0); u1 = Fma.MultiplyAdd(d31, x3, u1);
            u0.Store(row);
            u1.Store(row + 4);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update1(double* target, int stride, double* features, int width, double* errors, double scale)
    {
        Vector256<double> factor = Vector256.Create(scale);
        Vector256<double> d0 = Avx.Multiply(factor, Vector256.Load(errors)), d1 = Avx.Multiply(factor, Vector256.Load(errors + 4));
        for (int l = 0; l < width; l++)
        {
            double* row = target + l * stride;
            Vector256<double> x = Vector256.Create(features[l]);
            Fma.MultiplyAdd(d0, x, Vector256.Load(row)).Store(row);
            Fma.MultiplyAdd(d1, x, Vector256.Load(row + 4)).Store(row + 4);
        }
    }
}
