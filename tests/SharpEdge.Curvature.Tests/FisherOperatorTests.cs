using SharpEdge.Nn;
using static SharpEdge.Curvature.Tests.Measurements.NetworkFixtures;

namespace SharpEdge.Curvature.Tests;

/// <summary>
/// The Fisher and NTK operators against dense matrices built from central finite differences of the network's
/// outputs and per-sample losses (no R-operator, no backward pass): J row by row, gₙ = ∇ℓₙ column by column.
/// </summary>
public class FisherOperatorTests
{
    private const double Step = 1e-5;

    /// <summary>z for every sample at θ, [N, C], by a plain forward pass.</summary>
    private static double[] Outputs(Objective<double> objective, double[] theta)
    {
        var tape = objective.Network.CreateTape(objective.Data.Count);
        objective.Network.Forward(tape, theta, objective.Data.InputRows(0, objective.Data.Count), objective.Data.Count);
        return tape.Output.ToArray();
    }

    /// <summary>Central differences of f(θ) ∈ ℝᵐ in every parameter: the m × P Jacobian, row-major.</summary>
    private static double[] Differences(double[] theta, int m, Func<double[], double[]> f)
    {
        int p = theta.Length;
        var jacobian = new double[m * p];
        var shifted = (double[])theta.Clone();
        for (int j = 0; j < p; j++)
        {
            shifted[j] = theta[j] + Step;
            var plus = f(shifted);
            shifted[j] = theta[j] - Step;
            var minus = f(shifted);
            shifted[j] = theta[j];
            for (int r = 0; r < m; r++) jacobian[r * p + j] = (plus[r] - minus[r]) / (2 * Step);
        }
        return jacobian;
    }

    /// <summary>J = ∂z/∂θ, [N·C, P].</summary>
    private static double[] Jacobian(Objective<double> objective, double[] theta) =>
        Differences(theta, objective.Data.Count * objective.Network.OutputSize, t => Outputs(objective, t));

    /// <summary>Rows gₙ = ∇_θ ℓₙ of the unnormalised per-sample losses, [N, P].</summary>
    private static double[] PerExampleGradients(Objective<double> objective, double[] theta) =>
        Differences(theta, objective.Data.Count, t =>
        {
            var losses = new double[objective.Data.Count];
            objective.Loss.PerSample(Outputs(objective, t), objective.Data, 0, objective.Data.Count, losses);
            return losses;
        });

    /// <summary>(1/scale) Aᵀ W A for a row-major m×P matrix A and the m×m matrix W given entry by entry.</summary>
    private static double[] Congruence(double[] a, int m, int p, Func<int, int, double> weight, double scale)
    {
        var result = new double[p * p];
        for (int r = 0; r < m; r++)
            for (int s = 0; s < m; s++)
            {
                var w = weight(r, s);
                if (w == 0) continue;
                for (int i = 0; i < p; i++)
                {
                    var ai = w * a[r * p + i] / scale;
                    if (ai == 0) continue;
                    for (int j = 0; j < p; j++) result[i * p + j] += ai * a[s * p + j];
                }
            }
        return result;
    }

    private static double[] Softmax(ReadOnlySpan<double> z)
    {
        var max = double.NegativeInfinity;
        foreach (var v in z) max = Math.Max(max, v);
        var e = z.ToArray().Select(v => Math.Exp(v - max)).ToArray();
        var s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    private static void AssertMatrix(double[] expected, double[] actual, double relative)
    {
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 0);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"entry {i}: {actual[i]:R} vs {expected[i]:R} (scale {scale:G3})");
    }

    [Theory]
    [InlineData("mse", 4096)]
    [InlineData("ce", 4096)]
    [InlineData("ce", 5)] // three chunks, activations not cached: the streamed path
    public void Empirical_fisher_is_the_mean_outer_product_of_finite_difference_per_example_gradients(string loss, int chunk)
    {
        var (problem, theta) = Problem(loss);
        var objective = new Objective<double>(problem.Network, problem.Loss, problem.Data, chunk, cacheBudgetBytes: chunk < 12 ? 0 : 1L << 30);
        objective.Linearize(theta, new double[theta.Length]);
        int n = objective.Data.Count, p = theta.Length;
        var g = PerExampleGradients(objective, theta);
        var expected = Congruence(g, n, p, (r, s) => r == s ? 1 : 0, n);

        AssertMatrix(expected, LinearOperator.ToDense(new EmpiricalFisherOperator<double>(objective)), 1e-7);
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void True_fisher_is_Jt_A_J_over_n_with_the_output_fisher_of_the_likelihood(string loss)
    {
        var (objective, theta) = Problem(loss);
        objective.Linearize(theta, new double[theta.Length]);
        int n = objective.Data.Count, c = objective.Network.OutputSize, p = theta.Length;
        var j = Jacobian(objective, theta);
        var z = Outputs(objective, theta);
        // A_n = 2I for EoSS's MSE (Gaussian of variance ½), diag p − ppᵀ for cross-entropy
        var probabilities = Enumerable.Range(0, n).Select(i => Softmax(z.AsSpan(i * c, c))).ToArray();
        Func<int, int, double> a = loss == "mse"
            ? (r, s) => r == s ? 2 : 0
            : (r, s) => r / c != s / c ? 0 : (r == s ? probabilities[r / c][r % c] : 0) - probabilities[r / c][r % c] * probabilities[s / c][s % c];
        var expected = Congruence(j, n * c, p, a, n);

        var fisher = LinearOperator.ToDense(new TrueFisherOperator<double>(objective));
        AssertMatrix(expected, fisher, 1e-7);
        // the empirical Fisher is another matrix: the observed labels are not draws from the model
        var empirical = LinearOperator.ToDense(new EmpiricalFisherOperator<double>(objective));
        Assert.True(Enumerable.Range(0, fisher.Length).Max(i => Math.Abs(fisher[i] - empirical[i])) > 0.1 * expected.Max(Math.Abs));
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void Sampled_fisher_estimates_the_true_fisher_without_bias(string loss)
    {
        const int labels = 4000;
        var (objective, theta) = Problem(loss);
        objective.Linearize(theta, new double[theta.Length]);
        int n = objective.Data.Count, c = objective.Network.OutputSize, p = theta.Length;
        var j = Jacobian(objective, theta);
        var z = Outputs(objective, theta);
        var v = Parameters(objective.Network, seed: 21, scale: 1);

        // vᵀF̂v = (1/(N·S)) Σₙ Σₛ (rₙₛᵀaₙ)², aₙ = Jₙv; its mean and exact variance per draw, from the output distribution
        double mean = 0, variance = 0;
        for (int i = 0; i < n; i++)
        {
            var a = new double[c];
            for (int k = 0; k < c; k++)
                for (int q = 0; q < p; q++) a[k] += j[(i * c + k) * p + q] * v[q];
            double m2, m4;
            if (loss == "mse")
            {
                var norm = a.Sum(x => x * x);
                (m2, m4) = (2 * norm, 3 * 4 * norm * norm); // rᵀa ~ N(0, 2‖a‖²)
            }
            else
            {
                var prob = Softmax(z.AsSpan(i * c, c));
                var pa = prob.Select((x, k) => x * a[k]).Sum();
                m2 = m4 = 0;
                for (int y = 0; y < c; y++)
                {
                    var d = pa - a[y]; // (p − e_y)ᵀa
                    m2 += prob[y] * d * d;
                    m4 += prob[y] * d * d * d * d;
                }
            }
            mean += m2 / n;
            variance += (m4 - m2 * m2) / ((double)n * n * labels);
        }
        var se = Math.Sqrt(variance);

        var sampled = new SampledFisherOperator<double>(objective, seed: 5, labels);
        var fv = new double[p];
        sampled.Apply(v, fv);
        var estimate = Dot(v, fv);
        Assert.True(se < 0.03 * mean, $"SE {se:G3} of {mean:G6}: too many labels' noise for the test to mean anything");
        Assert.True(Math.Abs(estimate - mean) < 4 * se, $"vᵀF̂v = {estimate:R}, vᵀFv = {mean:R}, SE {se:G3}");

        var exact = new double[p];
        new TrueFisherOperator<double>(objective).Apply(v, exact);
        Assert.Equal(mean, Dot(v, exact), 1e-6 * mean);

        // the draws depend on the seed only
        var again = new double[p];
        new SampledFisherOperator<double>(objective, seed: 5, labels).Apply(v, again);
        Assert.Equal(fv, again);
    }

    [Fact]
    public void Ntk_is_J_Jt_and_its_nonzero_spectrum_is_the_mse_gauss_newton_spectrum_times_n_over_2()
    {
        var (objective, theta) = Problem("mse");
        objective.Linearize(theta, new double[theta.Length]);
        int n = objective.Data.Count, c = objective.Network.OutputSize, p = theta.Length, m = n * c;
        var j = Jacobian(objective, theta);
        var jjt = new double[m * m];
        for (int r = 0; r < m; r++)
            for (int s = 0; s < m; s++)
                for (int q = 0; q < p; q++) jjt[r * m + s] += j[r * p + q] * j[s * p + q];

        var ntk = new NeuralTangentKernelOperator<double>(objective);
        Assert.Equal(m, ntk.Size);
        var kernel = LinearOperator.ToDense(ntk);
        AssertMatrix(jjt, kernel, 1e-7);

        // K = JJᵀ (36×36) and G = (2/N) JᵀJ (79×79) share the non-zero spectrum up to the factor 2/N; G's other 43 vanish
        Assert.True(m < p);
        var kernelValues = Eigenvalues(kernel, m);
        var gaussNewton = Eigenvalues(LinearOperator.ToDense(new GaussNewtonOperator<double>(objective)), p);
        Assert.True(kernelValues[^1] > 1e-6 * kernelValues[0], "the kernel has full rank N·C here");
        for (int i = 0; i < m; i++) Assert.Equal(2.0 / n * kernelValues[i], gaussNewton[i], 1e-10 * gaussNewton[0]);
        for (int i = m; i < p; i++) Assert.True(Math.Abs(gaussNewton[i]) < 1e-10 * gaussNewton[0], $"λ{i + 1} of G = {gaussNewton[i]:G3}");
    }
}
