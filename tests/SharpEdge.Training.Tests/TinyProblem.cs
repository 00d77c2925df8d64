using SharpEdge.Nn;
using SharpEdge.Numerics;

namespace SharpEdge.Training.Tests;

/// <summary>
/// A network small enough for exact references: a few samples with random inputs and targets (one-hot or
/// normal regression targets for MSE, labels for cross-entropy), θ from the model's initialiser, and the per-sample
/// gradients ∇ℓ_i each from an objective over that one sample (independent of the code under test).
/// </summary>
internal sealed class TinyProblem
{
    public TinyProblem(string model, int inputs, int outputs, int samples, string loss, ulong seed, bool regression = false)
    {
        var rng = new Rng(seed);
        var x = new float[samples * inputs];
        rng.FillNormal(x);
        float[]? targets = null;
        int[]? labels = null;
        if (loss == "ce") labels = [.. Enumerable.Range(0, samples).Select(_ => rng.NextInt(outputs))];
        else
        {
            targets = new float[samples * outputs];
            if (regression) rng.FillNormal(targets);
            else for (int i = 0; i < samples; i++) targets[i * outputs + rng.NextInt(outputs)] = 1;
        }
        Data = new Samples<float>(x, [inputs], targets, outputs, labels);
        var spec = ModelSpec.Parse(model);
        Network = spec.Build<float>([inputs], outputs);
        Theta = new float[Network.ParameterCount];
        spec.Initialize(Network, Theta, 1.0, seed + 1);
        Loss = Loss<float>.FromName(loss);
        Full = new Objective<float>(Network, Loss, Data);
    }

    public Samples<float> Data { get; }
    public Network<float> Network { get; }
    public Loss<float> Loss { get; }
    public float[] Theta { get; }
    public Objective<float> Full { get; }
    public int P => Network.ParameterCount;
    public int N => Data.Count;

    /// <summary>∇ℓ_i at <paramref name="theta"/>, one row per sample, in float64.</summary>
    public double[][] PerSampleGradients(float[] theta)
    {
        var rows = new double[N][];
        var g = new float[P];
        for (int i = 0; i < N; i++)
        {
            new Objective<float>(Network, Loss, Data.Gather([i])).Linearize(theta, g);
            rows[i] = [.. g.Select(v => (double)v)];
        }
        return rows;
    }

    /// <summary>Σ = (1/n) Σ_i (∇ℓ_i − ḡ)(∇ℓ_i − ḡ)ᵀ, the population covariance of the per-sample gradients.</summary>
    public double[,] GradientCovariance(float[] theta)
    {
        var rows = PerSampleGradients(theta);
        var mean = new double[P];
        foreach (var r in rows)
            for (int a = 0; a < P; a++) mean[a] += r[a] / N;
        var sigma = new double[P, P];
        foreach (var r in rows)
            for (int a = 0; a < P; a++)
                for (int b = 0; b < P; b++) sigma[a, b] += (r[a] - mean[a]) * (r[b] - mean[b]) / N;
        return sigma;
    }
}
