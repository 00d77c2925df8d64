using SharpEdge.Curvature;

namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>
/// Computes <see cref="ModelObservables"/> for one model of a cell, literally as the notebook does (phase_ml_spec
/// §5.2–§5.6) but per model, so memory stays at a few kilobytes instead of the notebook's 15–20 GB.
/// </summary>
/// <remarks>
/// The per-sample first-order change of X = WWᵀ is rank two: with grad_n = φ_n ⊗ s0_n (φ_n = −∂ℓ_n/∂z_n),
/// dX_l[n] = Wf grad_nᵀ = s_pre_n ⊗ φ_n, so dX[n] = s_pre_n φ_nᵀ + φ_n s_pre_nᵀ. The notebook builds the full
/// 128×16×32 gradient tensor; the result is the same.
/// </remarks>
public static class PhaseObservables
{
    /// <summary>Added to V_t in the signal-to-noise ratio, as the notebook's <c>vareps</c>.</summary>
    public const double NoiseFloor = 1e-15;

    public static ModelObservables Compute(PhaseCell cell, int model, ReadOnlySpan<double> testInputs)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentOutOfRangeException.ThrowIfNegative(model);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(model, cell.Models);
        int n = testInputs.Length / cell.InputDim, k = cell.HiddenUnits, l = cell.Width, d = cell.InputDim, last = cell.Slots - 1;
        if (n * d != testInputs.Length || n < 1) throw new ArgumentException($"test inputs hold {testInputs.Length} values, not a multiple of D = {d}");
        var sigma = cell.Activation;
        var z = cell.Readout(model);

        // first layer, shared by teacher and student: s0 = σ(M x), n×L
        var s0 = new double[n * l];
        var m = cell.FirstLayer(model);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < l; j++)
            {
                double sum = 0;
                for (int c = 0; c < d; c++) sum += m[j * d + c] * testInputs[i * d + c];
                s0[i * l + j] = sigma.Apply(sum);
            }
        var teacherPre = Hidden(cell.Teacher(model), s0, n, k, l);
        var finalPre = Hidden(cell.Student(model, last), s0, n, k, l);
        var initialPre = Hidden(cell.Student(model, 0), s0, n, k, l);
        var teacher = Activate(sigma, teacherPre);
        var student = Activate(sigma, finalPre);
        var initial = Activate(sigma, initialPre);

        double testLoss = 0, q = 0;
        var yt = new double[n];
        var residual = new double[n];
        for (int i = 0; i < n; i++)
        {
            double target = 0, output = 0;
            for (int a = 0; a < k; a++)
            {
                target += z[a] * teacher[i * k + a];
                output += z[a] * student[i * k + a];
                q += initial[i * k + a] * student[i * k + a];
            }
            yt[i] = target;
            residual[i] = target - output;
            testLoss += residual[i] * residual[i];
        }
        testLoss /= n;
        q /= n * k;

        var (hs, hsd) = FieldOverlaps(yt, z, student, n, k);

        // φ[n,a] = (yt − y)_n Z_a σ'(s_pre)_na and the drift/noise of X's eigenvalues (§5.3)
        var phi = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < k; a++)
                phi[i * k + a] = residual[i] * z[a] * sigma.SlopeFromActivated(student[i * k + a]);
        var xFinal = Gram(cell.Student(model, last), k, l);
        var (finalValues, u) = Descending(xFinal, k);
        var (drift, noiseAsCoded, noiseCorrected) = DysonTerms(finalPre, phi, u, n, k);

        double r = cell.Ratio, t = cell.Temperature, eps2 = cell.StudentWidth * cell.StudentWidth;
        bool Passes(double noise) => drift / Math.Sqrt(r) / (k - 1) >= t * noise / eps2 / 4.0;

        var flows = new double[cell.Slots * k];
        for (int slot = 0; slot < cell.Slots; slot++)
        {
            var values = slot == last ? finalValues : Descending(Gram(cell.Student(model, slot), k, l), k).Values;
            values.CopyTo(flows, slot * k);
        }
        double spacingRatio = Spread(flows.AsSpan(last * k, k)) / Spread(flows.AsSpan(0, k));
        double elapsed = cell.SlotEpochs[last] - cell.SlotEpochs[0];

        return new ModelObservables
        {
            Model = model, Seed = cell.Seeds.Length > model ? cell.Seeds[model] : -1,
            TestLoss = testLoss, QTime = q, Hs = hs, Hsd = hsd,
            DriftDifference = drift, NoiseAsCoded = noiseAsCoded, NoiseCorrected = noiseCorrected,
            SignalToNoise = drift / (noiseAsCoded + NoiseFloor),
            OrderedAsCoded = Passes(noiseAsCoded), OrderedCorrected = Passes(noiseCorrected),
            RateAsCoded = Math.Log(spacingRatio) / cell.Epochs, RateCorrected = elapsed > 0 ? Math.Log(spacingRatio) / elapsed : double.NaN,
            FinalTrainLoss = cell.Loss(model, last), FinalGradientNorm = Norm(cell.Gradient(model, last)), InitialGradientNorm = Norm(cell.Gradient(model, 0)),
            SquaredSingularValues = flows,
            TeacherSquaredSingularValues = Descending(Gram(cell.Teacher(model), k, l), k).Values,
        };
    }

    /// <summary>
    /// K_t and both V_t variants from the pre-activations s_pre (n×K), φ (n×K) and the eigenvectors U of X
    /// (columns, descending eigenvalues). As coded: K = mean_n dX, V = var_n dX element-wise, K̃ = UᵀKU,
    /// Ṽ = UᵀVU, V_t = 2Ṽ[0,K−1]/(K−1) + Σ_{k=1}^{K−2} (Ṽ[0,k] + Ṽ[K−1,K−k])/k.
    /// </summary>
    internal static (double Drift, double NoiseAsCoded, double NoiseCorrected) DysonTerms(double[] pre, double[] phi, double[] u, int n, int k)
    {
        // rotated: (Uᵀ dX_n U)_ab = (Uᵀp)_a (Uᵀφ)_b + (Uᵀφ)_a (Uᵀp)_b
        var preRotated = new double[n * k];
        var phiRotated = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < k; a++)
            {
                double sp = 0, sf = 0;
                for (int c = 0; c < k; c++)
                {
                    sp += u[c * k + a] * pre[i * k + c];
                    sf += u[c * k + a] * phi[i * k + c];
                }
                preRotated[i * k + a] = sp;
                phiRotated[i * k + a] = sf;
            }
        var (mean, variance) = Moments(pre, phi, n, k);
        var (_, rotatedVariance) = Moments(preRotated, phiRotated, n, k);
        var kTilde = Rotate(mean, u, k);
        var vTilde = Rotate(variance, u, k);
        int last = k - 1;
        double drift = Math.Abs(kTilde[0]) - Math.Abs(kTilde[last * k + last]);
        double asCoded = 2 * vTilde[last] / last, corrected = 2 * rotatedVariance[last] / last;
        for (int j = 1; j < last; j++)
        {
            asCoded += (vTilde[j] + vTilde[last * k + (k - j)]) / j;
            corrected += (rotatedVariance[j] + rotatedVariance[last * k + (last - j)]) / j;
        }
        return (drift, asCoded, corrected);
    }

    /// <summary>Element-wise mean and population variance (two passes, as NumPy) of dX_n = p_n f_nᵀ + f_n p_nᵀ.</summary>
    private static (double[] Mean, double[] Variance) Moments(double[] p, double[] f, int n, int k)
    {
        var mean = new double[k * k];
        var variance = new double[k * k];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < k; a++)
                for (int b = 0; b < k; b++)
                    mean[a * k + b] += p[i * k + a] * f[i * k + b] + f[i * k + a] * p[i * k + b];
        for (int e = 0; e < mean.Length; e++) mean[e] /= n;
        for (int i = 0; i < n; i++)
            for (int a = 0; a < k; a++)
                for (int b = 0; b < k; b++)
                {
                    double deviation = p[i * k + a] * f[i * k + b] + f[i * k + a] * p[i * k + b] - mean[a * k + b];
                    variance[a * k + b] += deviation * deviation;
                }
        for (int e = 0; e < variance.Length; e++) variance[e] /= n;
        return (mean, variance);
    }

    /// <summary>hs = Σ (h/‖h‖_F)(s/‖s‖_F) / n and hsd = Σ_k cos(h[:,k], s[:,k]) / K with h[n,k] = yt_n Z_k.</summary>
    private static (double Hs, double Hsd) FieldOverlaps(double[] yt, ReadOnlySpan<double> z, double[] s, int n, int k)
    {
        double hNorm = 0, sNorm = 0, dot = 0, hsd = 0;
        for (int a = 0; a < k; a++)
        {
            double hColumn = 0, sColumn = 0, columnDot = 0;
            for (int i = 0; i < n; i++)
            {
                double h = yt[i] * z[a], v = s[i * k + a];
                hColumn += h * h;
                sColumn += v * v;
                columnDot += h * v;
            }
            hNorm += hColumn;
            sNorm += sColumn;
            dot += columnDot;
            hsd += columnDot / (Math.Sqrt(hColumn) * Math.Sqrt(sColumn));
        }
        return (dot / (Math.Sqrt(hNorm) * Math.Sqrt(sNorm)) / n, hsd / k);
    }

    /// <summary>Pre-activations V s0ᵀ for every test point: n×K.</summary>
    private static double[] Hidden(ReadOnlySpan<double> v, double[] s0, int n, int k, int l)
    {
        var pre = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < k; a++)
            {
                double sum = 0;
                for (int j = 0; j < l; j++) sum += v[a * l + j] * s0[i * l + j];
                pre[i * k + a] = sum;
            }
        return pre;
    }

    private static double[] Activate(Activation sigma, double[] pre)
    {
        var activated = new double[pre.Length];
        for (int i = 0; i < pre.Length; i++) activated[i] = sigma.Apply(pre[i]);
        return activated;
    }

    /// <summary>X = W Wᵀ (K×K).</summary>
    internal static double[] Gram(ReadOnlySpan<double> w, int k, int l)
    {
        var x = new double[k * k];
        for (int a = 0; a < k; a++)
            for (int b = 0; b <= a; b++)
            {
                double sum = 0;
                for (int j = 0; j < l; j++) sum += w[a * l + j] * w[b * l + j];
                x[a * k + b] = x[b * k + a] = sum;
            }
        return x;
    }

    /// <summary>
    /// Eigenvalues in descending order (the order of <c>np.linalg.svd</c> of the PSD X) and the eigenvectors as
    /// columns. Signs: each vector's largest-magnitude component is made positive (LAPACK's SVD signs cannot be
    /// reproduced; only the as-coded V_t depends on them).
    /// </summary>
    internal static (double[] Values, double[] Vectors) Descending(double[] x, int k)
    {
        var (ascending, vectors) = SymmetricEigen.Decompose(x, k);
        var values = new double[k];
        var u = new double[k * k];
        for (int col = 0; col < k; col++)
        {
            int source = k - 1 - col;
            values[col] = ascending[source];
            int largest = 0;
            for (int row = 1; row < k; row++)
                if (Math.Abs(vectors[row * k + source]) > Math.Abs(vectors[largest * k + source])) largest = row;
            double sign = vectors[largest * k + source] < 0 ? -1 : 1;
            for (int row = 0; row < k; row++) u[row * k + col] = sign * vectors[row * k + source];
        }
        return (values, u);
    }

    /// <summary>Uᵀ A U.</summary>
    private static double[] Rotate(double[] a, double[] u, int k)
    {
        var au = new double[k * k];
        for (int r = 0; r < k; r++)
            for (int c = 0; c < k; c++)
            {
                double sum = 0;
                for (int j = 0; j < k; j++) sum += a[r * k + j] * u[j * k + c];
                au[r * k + c] = sum;
            }
        var rotated = new double[k * k];
        for (int r = 0; r < k; r++)
            for (int c = 0; c < k; c++)
            {
                double sum = 0;
                for (int j = 0; j < k; j++) sum += u[j * k + r] * au[j * k + c];
                rotated[r * k + c] = sum;
            }
        return rotated;
    }

    /// <summary>Mean level spacing (λ_max − λ_min)/(K−1) of a descending spectrum.</summary>
    private static double Spread(ReadOnlySpan<double> descending) => (descending[0] - descending[^1]) / (descending.Length - 1);

    private static double Norm(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (var v in values) sum += v * v;
        return Math.Sqrt(sum);
    }
}
