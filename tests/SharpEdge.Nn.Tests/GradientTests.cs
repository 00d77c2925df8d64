using SharpEdge.Nn;

namespace SharpEdge.Nn.Tests;

public class GradientTests
{
    public static TheoryData<string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var activation in new[] { "relu", "tanh", "silu", "gelu", "identity" })
            foreach (var loss in new[] { "mse", "ce" })
                data.Add(activation, loss, true);
        data.Add("tanh", "mse", false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_matches_central_differences(string activation, string loss, bool bias)
    {
        var network = Fixtures.Mlp(activation, bias);
        var objective = new Objective<double>(network, Loss<double>.FromName(loss), Fixtures.Data(loss));
        var theta = Fixtures.Parameters(network);
        var exact = Fixtures.Gradient(objective, theta);
        var numeric = Fixtures.FiniteDifferenceGradient(objective, theta);
        Assert.True(Fixtures.RelativeError(exact, numeric) < 1e-6, $"relative error {Fixtures.RelativeError(exact, numeric):E2}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Hessian_vector_product_matches_differences_of_gradients(string activation, string loss, bool bias)
    {
        var network = Fixtures.Mlp(activation, bias);
        var objective = new Objective<double>(network, Loss<double>.FromName(loss), Fixtures.Data(loss));
        var theta = Fixtures.Parameters(network);
        var v = Fixtures.RandomVector(network.ParameterCount, 5);
        var numeric = Fixtures.FiniteDifferenceHvp(objective, theta, v);
        objective.Linearize(theta, new double[theta.Length]);
        var hv = new double[theta.Length];
        objective.HessianVectorProduct(v, hv);
        Assert.True(Fixtures.RelativeError(hv, numeric) < 1e-6, $"relative error {Fixtures.RelativeError(hv, numeric):E2}");
    }

    [Theory]
    [InlineData("tanh", "mse")]
    [InlineData("silu", "ce")]
    [InlineData("gelu", "mse")]
    [InlineData("relu", "ce")]
    public void Dense_hessian_is_symmetric_and_matches_products(string activation, string loss)
    {
        var network = Fixtures.Mlp(activation);
        var objective = new Objective<double>(network, Loss<double>.FromName(loss), Fixtures.Data(loss));
        var theta = Fixtures.Parameters(network);
        var h = Fixtures.DenseHessian(objective, theta);
        int p = theta.Length;
        double asym = 0, norm = 0;
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
            {
                asym = Math.Max(asym, Math.Abs(h[i * p + j] - h[j * p + i]));
                norm = Math.Max(norm, Math.Abs(h[i * p + j]));
            }
        Assert.True(asym <= 1e-10 * norm, $"max asymmetry {asym:E2} against max entry {norm:E2}");

        // H v from the dense matrix equals the product computed directly
        var v = Fixtures.RandomVector(p, 8);
        var dense = new double[p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++) dense[i] += h[i * p + j] * v[j];
        objective.Linearize(theta, new double[p]);
        var hv = new double[p];
        objective.HessianVectorProduct(v, hv);
        Assert.True(Fixtures.RelativeError(hv, dense) < 1e-12);

        // and every column agrees with finite differences of gradients
        var e = new double[p];
        e[p / 2] = 1;
        var fd = Fixtures.FiniteDifferenceHvp(objective, theta, e);
        var column = Enumerable.Range(0, p).Select(i => h[i * p + p / 2]).ToArray();
        Assert.True(Fixtures.RelativeError(column, fd) < 1e-6);
    }

    [Theory]
    [InlineData("tanh", "mse")]
    [InlineData("silu", "ce")]
    [InlineData("relu", "mse")]
    public void Gauss_newton_product_equals_dense_jacobian_sandwich(string activation, string loss)
    {
        var network = Fixtures.Mlp(activation);
        var data = Fixtures.Data(loss);
        var objective = new Objective<double>(network, Loss<double>.FromName(loss), data);
        var theta = Fixtures.Parameters(network);
        int p = theta.Length, n = data.Count, c = data.Outputs;

        // J by central differences of the network outputs: independent of the R-operator
        var jacobian = new double[n * c * p];
        var tape = network.CreateTape(n);
        var probe = (double[])theta.Clone();
        const double step = 1e-6;
        for (int j = 0; j < p; j++)
        {
            probe[j] = theta[j] + step;
            network.Forward(tape, probe, data.Inputs, n);
            var up = tape.Output.ToArray();
            probe[j] = theta[j] - step;
            network.Forward(tape, probe, data.Inputs, n);
            var down = tape.Output.ToArray();
            probe[j] = theta[j];
            for (int r = 0; r < n * c; r++) jacobian[r * p + j] = (up[r] - down[r]) / (2 * step);
        }
        network.Forward(tape, theta, data.Inputs, n);
        var z = tape.Output.ToArray();

        // loss Hessian in closed form: MSE 2I/N, CE (diag p − p pᵀ)/N per sample
        var v = Fixtures.RandomVector(p, 21);
        var jv = new double[n * c];
        for (int r = 0; r < n * c; r++)
            for (int j = 0; j < p; j++) jv[r] += jacobian[r * p + j] * v[j];
        var hjv = new double[n * c];
        for (int i = 0; i < n; i++)
        {
            if (loss == "mse")
            {
                for (int k = 0; k < c; k++) hjv[i * c + k] = 2.0 * jv[i * c + k] / n;
                continue;
            }
            var row = z.AsSpan(i * c, c);
            var max = row.ToArray().Max();
            var e = row.ToArray().Select(a => Math.Exp(a - max)).ToArray();
            var probs = e.Select(a => a / e.Sum()).ToArray();
            for (int k = 0; k < c; k++)
                for (int l = 0; l < c; l++)
                    hjv[i * c + k] += ((k == l ? probs[k] : 0) - probs[k] * probs[l]) * jv[i * c + l] / n;
        }
        var expected = new double[p];
        for (int j = 0; j < p; j++)
            for (int r = 0; r < n * c; r++) expected[j] += jacobian[r * p + j] * hjv[r];

        objective.Linearize(theta, new double[p]);
        var gv = new double[p];
        objective.GaussNewtonVectorProduct(v, gv);
        Assert.True(Fixtures.RelativeError(gv, expected) < 1e-7, $"relative error {Fixtures.RelativeError(gv, expected):E2}");

        // J v and Jᵀ u from the R-operator and the backward pass agree with the same dense Jacobian
        var jvExact = new double[n * c];
        objective.Jvp(v, jvExact);
        Assert.True(Fixtures.RelativeError(jvExact, jv) < 1e-7);
        var u = Fixtures.RandomVector(n * c, 4);
        var jtu = new double[p];
        objective.Vjp(u, jtu);
        var jtuDense = new double[p];
        for (int j = 0; j < p; j++)
            for (int r = 0; r < n * c; r++) jtuDense[j] += jacobian[r * p + j] * u[r];
        Assert.True(Fixtures.RelativeError(jtu, jtuDense) < 1e-7);
    }
}
