using SharpEdge.Nn.Layers;
using SharpEdge.Numerics;

namespace SharpEdge.Nn.Tests;

/// <summary>Small float64 image networks and the checks every layer must pass against finite differences.</summary>
public static class ConvFixtures
{
    public static Samples<double> Images(string loss, int[] shape, int count, int outputs, ulong seed = 3)
    {
        var rng = new Rng(seed);
        int size = shape.Aggregate(1, (a, b) => a * b);
        var x = new double[count * size];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextNormal();
        if (loss == "ce")
            return new Samples<double>(x, shape, null, outputs, Enumerable.Range(0, count).Select(_ => rng.NextInt(outputs)).ToArray());
        var y = new double[count * outputs];
        for (int i = 0; i < y.Length; i++) y[i] = rng.NextNormal();
        return new Samples<double>(x, shape, y, outputs, null);
    }

    /// <summary>A chain of named layers (names only where a layer has parameters).</summary>
    public static Network<double> Chain(params (string? Name, Layer<double> Layer)[] layers) =>
        new(layers.Select(l => l.Layer).ToList(), layers.Select(l => l.Name).ToList(), "test network");

    /// <summary>
    /// Gradient against central differences of the loss, H·v against central differences of the gradient (both
    /// below <paramref name="tolerance"/> relative), and H·v against the dense Hessian built column by column,
    /// which must be symmetric.
    /// </summary>
    public static void CheckDerivatives(Network<double> network, Samples<double> data, string loss, double tolerance = 1e-6,
        double step = 1e-5, bool denseHessian = true, ulong seed = 11, double parameterScale = 0.7)
    {
        var objective = new Objective<double>(network, Loss<double>.FromName(loss), data);
        Assert.Equal(1, objective.ChunkCount);
        var theta = Fixtures.RandomVector(network.ParameterCount, seed, parameterScale);
        var exact = Fixtures.Gradient(objective, theta);
        var numeric = Fixtures.FiniteDifferenceGradient(objective, theta, step);
        var gradientError = Fixtures.RelativeError(exact, numeric);
        Assert.True(gradientError < tolerance, $"gradient relative error {gradientError:E2}");

        var v = Fixtures.RandomVector(network.ParameterCount, seed + 1);
        objective.Linearize(theta, new double[theta.Length]);
        var hv = new double[theta.Length];
        objective.HessianVectorProduct(v, hv);
        var fd = Fixtures.FiniteDifferenceHvp(objective, theta, v, step);
        var hvpError = Fixtures.RelativeError(hv, fd);
        Assert.True(hvpError < tolerance, $"H·v relative error {hvpError:E2} against differences of gradients");
        if (!denseHessian) return;

        int p = theta.Length;
        var h = Fixtures.DenseHessian(objective, theta);
        var (asymmetry, largest) = Fixtures.Asymmetry(h, p);
        Assert.True(asymmetry <= 1e-10 * largest, $"dense Hessian asymmetry {asymmetry:E2} against largest entry {largest:E2}");
        var dense = new double[p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++) dense[i] += h[i * p + j] * v[j];
        Assert.True(Fixtures.RelativeError(hv, dense) < 1e-12, "H·v differs from the dense Hessian times v");
    }
}
