using System.Runtime.CompilerServices;

namespace SharpEdge.TeacherStudent;

/// <summary>
/// One SGD epoch in scalar float64, for machines without AVX2/FMA: the same buffers and order of work as
/// the vector kernels (transposed student, precomputed features), σ from <see cref="Math"/>.
/// </summary>
internal static unsafe class ScalarSgdKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static EpochOutcome RunEpoch<TActivation>(in SgdBuffers buffers) where TActivation : struct, IActivationKernel
    {
        int width = buffers.Width, units = buffers.PaddedUnits, batchSize = buffers.BatchSize;
        double* weights = buffers.Weights, activations = buffers.Activations, errors = buffers.UnitErrors;
        double* residuals = buffers.Residuals, readout = buffers.Readout;
        double lossSum = 0.0;
        for (int batch = 0; batch < buffers.BatchCount; batch++)
        {
            double* features = buffers.Features + (long)batch * batchSize * width;
            double* labels = buffers.Labels + (long)batch * batchSize;

            double squaredErrors = 0.0;
            for (int n = 0; n < batchSize; n++)
            {
                double* hidden = activations + n * units, sample = features + n * width;
                new Span<double>(hidden, units).Clear();
                for (int l = 0; l < width; l++)
                {
                    double* row = weights + l * units;
                    double feature = sample[l];
                    for (int k = 0; k < units; k++) hidden[k] += row[k] * feature;
                }
                double output = 0.0;
                for (int k = 0; k < units; k++)
                {
                    hidden[k] = TActivation.Apply(hidden[k]);
                    output += readout[k] * hidden[k];
                }
                double residual = labels[n] - output;
                residuals[n] = residual;
                squaredErrors += residual * residual;
            }
            double loss = 0.5 * (squaredErrors / batchSize);
            // Strict ">" before the update, so NaN never triggers it (phase_ml_spec §3.3).
            if (loss > TeacherStudentConfig.DivergenceThreshold) return new EpochOutcome(lossSum, batch);
            lossSum += loss;

            for (int n = 0; n < batchSize; n++)
            {
                double* hidden = activations + n * units, error = errors + n * units;
                for (int k = 0; k < units; k++) error[k] = readout[k] * residuals[n] * TActivation.Slope(hidden[k]);
            }

            AddOuterProducts(weights, units, features, width, errors, batchSize, buffers.StepScale);
            if (buffers.AccumulateGradient)
                AddOuterProducts(buffers.GradientSum, units, features, width, errors, batchSize, 1.0);
        }
        return new EpochOutcome(lossSum, -1);
    }

    // target (L×K) += scale · Σ_n errors_n ⊗ φ1_n over the batch.
    private static void AddOuterProducts(double* target, int units, double* features, int width, double* errors, int batchSize, double scale)
    {
        for (int l = 0; l < width; l++)
        {
            double* row = target + l * units;
            for (int n = 0; n < batchSize; n++)
            {
                double feature = features[n * width + l];
                double* error = errors + n * units;
                for (int k = 0; k < units; k++) row[k] += scale * error[k] * feature;
            }
        }
    }
}
