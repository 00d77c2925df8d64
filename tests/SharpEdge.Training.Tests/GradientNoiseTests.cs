namespace SharpEdge.Training.Tests;

public class GradientNoiseTests
{
    private const int Draws = 20_000;
    private const int BatchSize = 2;
    private const double Magnitude = 0.7;

    /// <summary>m²·C of each model, from the exact per-sample gradient covariance Σ (eoss_spec §10.1).</summary>
    private static double[,] ExactCovariance(NoiseModel model, double[,] sigma)
    {
        int p = sigma.GetLength(0);
        double trace = 0;
        for (int a = 0; a < p; a++) trace += sigma[a, a];
        var c = new double[p, p];
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++)
                c[a, b] = Magnitude * Magnitude / BatchSize * model switch
                {
                    NoiseModel.Sgd => sigma[a, b],
                    NoiseModel.Diagonal => a == b ? sigma[a, a] : 0,
                    NoiseModel.Isotropic => a == b ? trace / p : 0,
                    _ => a == b ? 1 : 0,
                };
        return c;
    }

    [Theory]
    [InlineData(NoiseModel.Sgd, "mse")]
    [InlineData(NoiseModel.Sgd, "ce")]
    [InlineData(NoiseModel.Diagonal, "mse")]
    [InlineData(NoiseModel.Diagonal, "ce")]
    [InlineData(NoiseModel.Isotropic, "mse")]
    [InlineData(NoiseModel.Isotropic, "ce")]
    [InlineData(NoiseModel.Constant, "mse")]
    public void Noise_draws_have_zero_mean_and_the_models_covariance(NoiseModel model, string loss)
    {
        var problem = new TinyProblem("mlp:3-3-2:tanh", 3, 2, 6, loss, seed: 5);
        var expected = ExactCovariance(model, problem.GradientCovariance(problem.Theta));
        var g = new float[problem.P];
        problem.Full.Linearize(problem.Theta, g);
        var noise = new GradientNoise(model, problem.Full, BatchSize, Magnitude);
        var state = new NoiseState(11);
        var draw = new float[problem.P];
        var sum = new double[problem.P];
        var products = new double[problem.P, problem.P];
        for (int m = 0; m < Draws; m++)
        {
            noise.Sample(problem.Theta, g, step: 0, state, draw);
            for (int a = 0; a < problem.P; a++)
            {
                sum[a] += draw[a];
                for (int b = 0; b <= a; b++) products[a, b] += (double)draw[a] * draw[b];
            }
        }
        // Gaussian draws with mean 0: the mean of x_a has variance C_aa/M, the mean of x_a x_b has (C_aa C_bb + C_ab²)/M.
        for (int a = 0; a < problem.P; a++)
        {
            Assert.True(Math.Abs(sum[a] / Draws) <= 5 * Math.Sqrt(expected[a, a] / Draws) + 1e-12, $"{model}: mean of coordinate {a} is {sum[a] / Draws}, variance {expected[a, a]}");
            for (int b = 0; b <= a; b++)
            {
                var se = Math.Sqrt((expected[a, a] * expected[b, b] + expected[a, b] * expected[a, b]) / Draws);
                var estimate = products[a, b] / Draws;
                Assert.True(Math.Abs(estimate - expected[a, b]) <= 5 * se + 1e-12, $"{model}: covariance ({a}, {b}) is {estimate}, exact {expected[a, b]} (standard error {se})");
            }
        }
    }

    [Fact]
    public void Diag_keeps_the_exact_gradient_variances_and_iso_their_mean_so_both_match_the_sgd_trace()
    {
        var problem = new TinyProblem("mlp:3-3-2:tanh", 3, 2, 6, "mse", seed: 9);
        var sigma = problem.GradientCovariance(problem.Theta);
        var g = new float[problem.P];
        problem.Full.Linearize(problem.Theta, g);
        var draw = new float[problem.P];
        var diag = new NoiseState(1);
        new GradientNoise(NoiseModel.Diagonal, problem.Full, BatchSize, 1).Sample(problem.Theta, g, 0, diag, draw);
        var iso = new NoiseState(1);
        new GradientNoise(NoiseModel.Isotropic, problem.Full, BatchSize, 1).Sample(problem.Theta, g, 0, iso, draw);
        double trace = 0;
        for (int a = 0; a < problem.P; a++)
        {
            trace += sigma[a, a];
            Assert.Equal(sigma[a, a], diag.Variance![a], 1e-6 * sigma[a, a] + 1e-12);
        }
        Assert.Equal(trace, iso.Variance![0] * problem.P, 1e-6 * trace);
        Assert.True(trace > 0);
    }

    [Fact]
    public void Kept_variances_are_reused_until_the_next_refresh_step()
    {
        var problem = new TinyProblem("mlp:3-3-2:tanh", 3, 2, 6, "mse", seed: 9);
        var g = new float[problem.P];
        problem.Full.Linearize(problem.Theta, g);
        var noise = new GradientNoise(NoiseModel.Diagonal, problem.Full, BatchSize, 1, refresh: 4);
        var state = new NoiseState(1);
        var draw = new float[problem.P];
        noise.Sample(problem.Theta, g, 5, state, draw);   // nothing kept: computed now
        Assert.Equal(5, state.VarianceStep);
        var at5 = (double[])state.Variance!.Clone();
        var moved = problem.Theta.Select(t => t * 1.5f).ToArray();
        problem.Full.Linearize(moved, g);
        noise.Sample(moved, g, 7, state, draw);
        Assert.Equal(at5, state.Variance);   // steps 6, 7 keep step 5's
        noise.Sample(moved, g, 8, state, draw);
        Assert.Equal(8, state.VarianceStep);
        Assert.NotEqual(at5, state.Variance);
    }
}
