using SharpEdge.Nn;
using SharpEdge.Nn.Layers;
using SharpEdge.Numerics;

namespace SharpEdge.Nn.Tests;

/// <summary>Small float64 networks and data, plus independent references built from finite differences.</summary>
public static class Fixtures
{
    public const int Inputs = 5, Hidden = 4, Outputs = 3, Count = 7;

    public static Network<double> Mlp(string activation, bool bias = true) =>
        ModelSpec.Parse($"mlp:{Inputs}-{Hidden}-{Hidden}-{Outputs}:{activation}{(bias ? "" : ":nobias")}").Build<double>([Inputs], Outputs);

    public static Samples<double> Data(string loss, int count = Count, ulong seed = 3, int inputs = Inputs, int outputs = Outputs)
    {
        var rng = new Rng(seed);
        var x = new double[count * inputs];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextNormal();
        if (loss == "ce")
        {
            var labels = Enumerable.Range(0, count).Select(_ => rng.NextInt(outputs)).ToArray();
            return new Samples<double>(x, [inputs], null, outputs, labels);
        }
        var y = new double[count * outputs];
        for (int i = 0; i < y.Length; i++) y[i] = rng.NextNormal();
        return new Samples<double>(x, [inputs], y, outputs, null);
    }

    public static double[] RandomVector(int n, ulong seed, double scale = 1.0)
    {
        var rng = new Rng(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * rng.NextNormal();
        return v;
    }

    public static double[] Parameters(Network<double> network, ulong seed = 11) => RandomVector(network.ParameterCount, seed, 0.7);

    public static double[] Gradient(Objective<double> objective, double[] theta)
    {
        var g = new double[theta.Length];
        objective.Linearize(theta, g);
        return g;
    }

    /// <summary>Central differences of the loss: ∂L/∂θ_i ≈ (L(θ + h e_i) − L(θ − h e_i)) / 2h.</summary>
    public static double[] FiniteDifferenceGradient(Objective<double> objective, double[] theta, double h = 1e-5)
    {
        var g = new double[theta.Length];
        var p = (double[])theta.Clone();
        for (int i = 0; i < theta.Length; i++)
        {
            p[i] = theta[i] + h;
            var up = objective.Evaluate(p);
            p[i] = theta[i] - h;
            var down = objective.Evaluate(p);
            p[i] = theta[i];
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    /// <summary>Central differences of the exact gradient along v: H v ≈ (∇L(θ + h v) − ∇L(θ − h v)) / 2h.</summary>
    public static double[] FiniteDifferenceHvp(Objective<double> objective, double[] theta, double[] v, double h = 1e-5)
    {
        var plus = theta.Zip(v, (t, d) => t + h * d).ToArray();
        var minus = theta.Zip(v, (t, d) => t - h * d).ToArray();
        var gp = Gradient(objective, plus);
        var gm = Gradient(objective, minus);
        return gp.Zip(gm, (a, b) => (a - b) / (2 * h)).ToArray();
    }

    /// <summary>The dense Hessian, column j = H e_j, by exact products at θ.</summary>
    /// <summary>The largest |h_ij − h_ji| of a p×p matrix, and its largest |h_ij|.</summary>
    public static (double Asymmetry, double Largest) Asymmetry(double[] h, int p)
    {
        double asymmetry = 0, largest = 0;
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
            {
                asymmetry = Math.Max(asymmetry, Math.Abs(h[i * p + j] - h[j * p + i]));
                largest = Math.Max(largest, Math.Abs(h[i * p + j]));
            }
        return (asymmetry, largest);
    }

    public static double[] DenseHessian(Objective<double> objective, double[] theta)
    {
        int p = theta.Length;
        objective.Linearize(theta, new double[p]);
        var h = new double[p * p];
        var e = new double[p];
        var column = new double[p];
        for (int j = 0; j < p; j++)
        {
            e[j] = 1;
            objective.HessianVectorProduct(e, column);
            e[j] = 0;
            for (int i = 0; i < p; i++) h[i * p + j] = column[i];
        }
        return h;
    }

    public static double RelativeError(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            diff += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(diff) / Math.Max(Math.Sqrt(norm), 1e-300);
    }
}
