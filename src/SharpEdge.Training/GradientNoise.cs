using SharpEdge.Nn;

namespace SharpEdge.Training;

/// <summary>The covariance models of noisy GD (eoss_spec §10.1), by the original's <c>--gd_noise</c> names.</summary>
public enum NoiseModel
{
    /// <summary><c>sgd</c>: Σ/b, the covariance of a with-replacement minibatch gradient.</summary>
    Sgd,
    /// <summary><c>diag</c>: diag(Σ)/b.</summary>
    Diagonal,
    /// <summary><c>iso</c>: (tr Σ / P)/b · I, the same trace as sgd.</summary>
    Isotropic,
    /// <summary><c>const</c>: I/b.</summary>
    Constant,
}

/// <summary>
/// Gaussian gradient noise at the linearization point of the full-data objective, with covariance m²·C where m is
/// <c>--noise-mag</c> and C follows the <see cref="NoiseModel"/>: Σ = (1/n) Σ_i (∇ℓ_i − g)(∇ℓ_i − g)ᵀ is the
/// population covariance of the per-sample gradients (ℓ_i summed over outputs for MSE, as the loss is), g = ∇L.
/// </summary>
/// <remarks>
/// <para>sgd uses the original's sampling vector: ξ ~ N(0, I_n), noise = Σ_i w_i ∇ℓ_i with w = (ξ − ξ̄)/√(nb), one
/// extra backward pass over the kept forward passes (<see cref="Objective{T}.SampleWeightedGradient"/>) and no n×n
/// matrix. diag and iso need the per-coordinate variances of the per-sample gradients, computed in chunks of
/// per-example gradients (never the n×P matrix the original holds) at steps that are multiples of
/// <see cref="Refresh"/> and kept in <see cref="NoiseState"/> in between (HEAD refreshes every 30 steps).</para>
/// <para>diag and iso use the population variance (1/n), so that diag is exactly the diagonal of sgd's covariance and iso
/// has its trace; the original takes torch's unbiased <c>std</c> there, a factor n/(n−1) larger.</para>
/// </remarks>
public sealed class GradientNoise
{
    /// <summary>Per-example gradient rows are computed this many floats at a time.</summary>
    private const int RowBudget = 1 << 22;

    private readonly Objective<float> objective;
    private readonly double[] weights;
    private readonly float[] rows;
    private readonly double[] shiftedSum;
    private readonly double[] shiftedSquares;

    public GradientNoise(NoiseModel model, Objective<float> objective, int batchSize, double magnitude, int refresh = 1)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (batchSize < 1) throw new ArgumentException($"the batch size must be positive, got {batchSize}");
        if (!(magnitude >= 0) || !double.IsFinite(magnitude)) throw new ArgumentException($"the noise magnitude must be finite and ≥ 0, got {magnitude}");
        if (refresh < 1) throw new ArgumentException($"the variance refresh interval must be positive, got {refresh}");
        Model = model;
        this.objective = objective;
        BatchSize = batchSize;
        Magnitude = magnitude;
        Refresh = refresh;
        var n = objective.Data.Count;
        var p = objective.ParameterCount;
        weights = model == NoiseModel.Sgd ? new double[n] : [];
        bool perSample = model is NoiseModel.Diagonal or NoiseModel.Isotropic;
        rows = perSample ? new float[(long)Math.Clamp(RowBudget / p, 1, n) * p] : [];
        shiftedSum = perSample ? new double[p] : [];
        shiftedSquares = perSample ? new double[p] : [];
    }

    public NoiseModel Model { get; }
    public int BatchSize { get; }
    public double Magnitude { get; }
    public int Refresh { get; }

    /// <summary>The model named as the original's <c>--gd_noise</c> (sgd, diag, iso, const).</summary>
    public static NoiseModel ParseModel(string name) => name switch
    {
        "sgd" => NoiseModel.Sgd,
        "diag" => NoiseModel.Diagonal,
        "iso" => NoiseModel.Isotropic,
        "const" => NoiseModel.Constant,
        _ => throw new ArgumentException($"unknown --gd-noise model '{name}' (sgd, diag, iso, const)"),
    };

    /// <summary>
    /// Writes one noise draw into <paramref name="noise"/>, drawing from <paramref name="state"/>'s generator. θ must be
    /// the objective's linearization point and <paramref name="gradient"/> its gradient g.
    /// </summary>
    public void Sample(ReadOnlyMemory<float> theta, ReadOnlySpan<float> gradient, long step, NoiseState state, Span<float> noise)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (noise.Length != objective.ParameterCount) throw new ArgumentException($"the noise has {noise.Length} values, the model {objective.ParameterCount}");
        var rng = state.Rng;
        switch (Model)
        {
            case NoiseModel.Sgd:
            {
                var n = weights.Length;
                double mean = 0;
                for (int i = 0; i < n; i++) mean += weights[i] = rng.NextNormal();
                mean /= n;
                var scale = Magnitude / Math.Sqrt((double)n * BatchSize);
                for (int i = 0; i < n; i++) weights[i] = scale * (weights[i] - mean);
                objective.SampleWeightedGradient(weights, noise);
                break;
            }
            case NoiseModel.Diagonal:
            {
                var variance = Variances(theta, gradient, step, state);
                for (int j = 0; j < noise.Length; j++) noise[j] = (float)(Magnitude * Math.Sqrt(variance[j] / BatchSize) * rng.NextNormal());
                break;
            }
            case NoiseModel.Isotropic:
                Fill(noise, Magnitude * Math.Sqrt(Variances(theta, gradient, step, state)[0] / BatchSize), rng);
                break;
            case NoiseModel.Constant:
                Fill(noise, Magnitude / Math.Sqrt(BatchSize), rng);
                break;
        }
    }

    private static double Sum(ReadOnlySpan<double> values)
    {
        double s = 0;
        foreach (var v in values) s += v;
        return s;
    }

    private static void Fill(Span<float> noise, double std, Numerics.Rng rng)
    {
        for (int j = 0; j < noise.Length; j++) noise[j] = (float)(std * rng.NextNormal());
    }

    /// <summary>diag's P variances or iso's one mean variance, recomputed when none is kept or the step is a multiple of <see cref="Refresh"/>.</summary>
    private double[] Variances(ReadOnlyMemory<float> theta, ReadOnlySpan<float> gradient, long step, NoiseState state)
    {
        var length = Model == NoiseModel.Diagonal ? objective.ParameterCount : 1;
        if (state.Variance is { } kept && kept.Length == length && (step % Refresh != 0 || state.VarianceStep == step)) return kept;
        var variance = state.Variance is { } old && old.Length == length ? old : new double[length];
        var perCoordinate = PerSampleGradientVariances(theta.Span, gradient);
        if (Model == NoiseModel.Diagonal) perCoordinate.CopyTo(variance);
        else variance[0] = Sum(perCoordinate) / perCoordinate.Length;
        state.Variance = variance;
        state.VarianceStep = step;
        return variance;
    }

    /// <summary>
    /// Var_i[(∇ℓ_i)_j], the population variance of every coordinate j of the per-sample gradients, from per-example
    /// gradients in chunks; sums in float64 around the shift g, so nothing cancels. The result is a view of a buffer
    /// that the next call overwrites.
    /// </summary>
    private ReadOnlySpan<double> PerSampleGradientVariances(ReadOnlySpan<float> theta, ReadOnlySpan<float> gradient)
    {
        var p = objective.ParameterCount;
        var n = objective.Data.Count;
        var chunk = rows.Length / p;
        Array.Clear(shiftedSum);
        Array.Clear(shiftedSquares);
        for (int start = 0; start < n; start += chunk)
        {
            var count = Math.Min(chunk, n - start);
            objective.PerExampleGradients(theta, start, count, rows);
            for (int i = 0; i < count; i++)
            {
                var row = rows.AsSpan(i * p, p);
                for (int j = 0; j < p; j++)
                {
                    double d = row[j] - gradient[j];
                    shiftedSum[j] += d;
                    shiftedSquares[j] += d * d;
                }
            }
        }
        for (int j = 0; j < p; j++)
        {
            var mean = shiftedSum[j] / n;
            shiftedSquares[j] = Math.Max(0, shiftedSquares[j] / n - mean * mean);
        }
        return shiftedSquares;
    }
}
