using SharpEdge.Nn;
using SharpEdge.Numerics;

namespace SharpEdge.Training.Tests;

/// <summary>
/// A float64 network with random inputs and regression targets, for references to 1e-10 and beyond: the model code is
/// generic, so what the float32 trainer runs is checked here in float64 against dense matrices and finite differences.
/// </summary>
internal sealed class DoubleProblem
{
    public DoubleProblem(string model, int inputs, int outputs, int samples, string loss, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new double[samples * inputs];
        rng.FillNormal(x);
        double[]? targets = null;
        int[]? labels = null;
        if (loss == "ce") labels = [.. Enumerable.Range(0, samples).Select(_ => rng.NextInt(outputs))];
        else
        {
            targets = new double[samples * outputs];
            rng.FillNormal(targets);
        }
        Data = new Samples<double>(x, [inputs], targets, outputs, labels);
        var spec = ModelSpec.Parse(model);
        Network = spec.Build<double>([inputs], outputs);
        Theta = new double[Network.ParameterCount];
        spec.Initialize(Network, Theta, 1.0, seed + 1);
        Loss = Loss<double>.FromName(loss);
    }

    public Samples<double> Data { get; }
    public Network<double> Network { get; }
    public Loss<double> Loss { get; }
    public double[] Theta { get; }
    public int P => Network.ParameterCount;

    /// <summary>The loss over the samples <paramref name="indices"/>.</summary>
    public Objective<double> Batch(int[] indices) => new(Network, Loss, Data.Gather(indices));

    public Objective<double> Full() => new(Network, Loss, Data);

    public static double[] Gradient(Objective<double> objective, double[] theta)
    {
        var g = new double[theta.Length];
        objective.Linearize(theta, g);
        return g;
    }

    /// <summary>The dense Hessian by central differences of exact gradients, symmetrised (independent of the R-operator).</summary>
    public static double[,] FiniteDifferenceHessian(Objective<double> objective, double[] theta, double h = 1e-5)
    {
        int p = theta.Length;
        var hessian = new double[p, p];
        var shifted = (double[])theta.Clone();
        for (int j = 0; j < p; j++)
        {
            shifted[j] = theta[j] + h;
            var up = Gradient(objective, shifted);
            shifted[j] = theta[j] - h;
            var down = Gradient(objective, shifted);
            shifted[j] = theta[j];
            for (int i = 0; i < p; i++) hessian[i, j] = (up[i] - down[i]) / (2 * h);
        }
        for (int i = 0; i < p; i++)
            for (int j = 0; j < i; j++) hessian[i, j] = hessian[j, i] = (hessian[i, j] + hessian[j, i]) / 2;
        return hessian;
    }

    /// <summary>The dense Hessian, column j = H e_j by exact products, symmetrised.</summary>
    public static double[] ExactHessian(Objective<double> objective, double[] theta)
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
        for (int i = 0; i < p; i++)
            for (int j = 0; j < i; j++) h[i * p + j] = h[j * p + i] = (h[i * p + j] + h[j * p + i]) / 2;
        return h;
    }

    public static double[] Times(double[,] m, double[] v)
    {
        var r = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
            for (int j = 0; j < v.Length; j++) r[i] += m[i, j] * v[j];
        return r;
    }

    public static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    public static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    public static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());
}
