namespace SharpEdge.Training.Tests;

public class EulerMaruyamaTests
{
    [Fact]
    public void One_sde_step_on_a_quadratic_loss_has_the_closed_form_mean_and_covariance()
    {
        // Linear regression ℓ_i = (wᵀx_i + c − y_i)²: ∇ℓ_i(θ) = H_i θ − c_i with H_i = 2 x̃_i x̃_iᵀ, c_i = 2 y_i x̃_i, x̃ = (x, 1),
        // so the sub-step moments follow exactly: m ← m − h(H m − c), V ← B V Bᵀ + (ηh m²/b) E[Σ(θ)] with B = I − hH and
        // E[Σ(θ)] = (1/n) Σ_i (A_i m − a_i)(A_i m − a_i)ᵀ + A_i V A_iᵀ, A_i = H_i − H, a_i = c_i − c.
        const double eta = 0.1, h = 0.025, magnitude = 0.8;
        const int batch = 2, draws = 20_000;
        var problem = new TinyProblem("mlp:2-1", 2, 1, 5, "mse", seed: 21, regression: true);
        Assert.Equal(["layers.0.weight", "layers.0.bias"], problem.Network.Layout.Tensors.Select(t => t.Name));
        int p = 3, n = problem.N;
        var hi = new double[n][,];
        var ci = new double[n][];
        var hMean = new double[p, p];
        var cMean = new double[p];
        for (int i = 0; i < n; i++)
        {
            double[] x = [problem.Data.Inputs[2 * i], problem.Data.Inputs[2 * i + 1], 1];
            double y = problem.Data.Targets![i];
            hi[i] = new double[p, p];
            ci[i] = new double[p];
            for (int a = 0; a < p; a++)
            {
                ci[i][a] = 2 * y * x[a];
                cMean[a] += ci[i][a] / n;
                for (int b = 0; b < p; b++)
                {
                    hi[i][a, b] = 2 * x[a] * x[b];
                    hMean[a, b] += hi[i][a, b] / n;
                }
            }
        }

        var rule = new EulerMaruyama(problem.Full, new GradientNoise(NoiseModel.Sgd, problem.Full, batch, magnitude), eta, h);
        Assert.Equal(4, rule.SubSteps);
        var mean = problem.Theta.Select(v => (double)v).ToArray();
        var cov = new double[p, p];
        for (int k = 0; k < rule.SubSteps; k++)
        {
            var sigma = new double[p, p];
            for (int i = 0; i < n; i++)
            {
                var am = new double[p];   // A_i m − a_i
                for (int a = 0; a < p; a++)
                {
                    am[a] = -(ci[i][a] - cMean[a]);
                    for (int b = 0; b < p; b++) am[a] += (hi[i][a, b] - hMean[a, b]) * mean[b];
                }
                for (int a = 0; a < p; a++)
                    for (int b = 0; b < p; b++)
                    {
                        double avt = 0;   // (A_i V A_iᵀ)_ab
                        for (int c = 0; c < p; c++)
                            for (int d = 0; d < p; d++) avt += (hi[i][a, c] - hMean[a, c]) * cov[c, d] * (hi[i][b, d] - hMean[b, d]);
                        sigma[a, b] += (am[a] * am[b] + avt) / n;
                    }
            }
            var step = new double[p, p];   // B = I − hH
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++) step[a, b] = (a == b ? 1 : 0) - h * hMean[a, b];
            var next = new double[p, p];
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++)
                {
                    double bvb = 0;
                    for (int c = 0; c < p; c++)
                        for (int d = 0; d < p; d++) bvb += step[a, c] * cov[c, d] * step[b, d];
                    next[a, b] = bvb + eta * h * magnitude * magnitude / batch * sigma[a, b];
                }
            cov = next;
            var drift = new double[p];
            for (int a = 0; a < p; a++)
            {
                drift[a] = -cMean[a];
                for (int b = 0; b < p; b++) drift[a] += hMean[a, b] * mean[b];
            }
            for (int a = 0; a < p; a++) mean[a] -= h * drift[a];
        }

        var samples = new double[draws, p];
        var state = new TrainingState((float[])problem.Theta.Clone(), new Sgd<float>(p, eta)) { Noise = new NoiseState(17) };
        for (int m = 0; m < draws; m++)
        {
            problem.Theta.CopyTo(state.Theta, 0);
            rule.Evaluate(state, 0);
            rule.Apply(state, 0);
            for (int a = 0; a < p; a++) samples[m, a] = state.Theta[a];
        }
        var sampleMean = new double[p];
        for (int m = 0; m < draws; m++)
            for (int a = 0; a < p; a++) sampleMean[a] += samples[m, a] / draws;
        for (int a = 0; a < p; a++)
        {
            Assert.True(Math.Abs(sampleMean[a] - mean[a]) <= 5 * Math.Sqrt(cov[a, a] / draws), $"mean of θ_{a}: {sampleMean[a]}, closed form {mean[a]}");
            for (int b = 0; b <= a; b++)
            {
                // θ after several sub-steps is not Gaussian (the diffusion depends on θ): the standard error comes from the samples
                double s = 0, s2 = 0;
                for (int m = 0; m < draws; m++)
                {
                    var product = (samples[m, a] - sampleMean[a]) * (samples[m, b] - sampleMean[b]);
                    s += product;
                    s2 += product * product;
                }
                var estimate = s / draws;
                var se = Math.Sqrt((s2 / draws - estimate * estimate) / draws);
                Assert.True(Math.Abs(estimate - cov[a, b]) <= 5 * se, $"covariance ({a}, {b}): {estimate}, closed form {cov[a, b]} (standard error {se})");
            }
        }
    }

    [Fact]
    public void Sub_steps_cover_exactly_eta_per_step()
    {
        var problem = new TinyProblem("mlp:2-1", 2, 1, 5, "mse", seed: 21, regression: true);
        var noise = new GradientNoise(NoiseModel.Sgd, problem.Full, 2, 1);
        var rule = new EulerMaruyama(problem.Full, noise, 0.03, 0.01);   // 0.03/0.01 = 2.9999…: the original would take 2 sub-steps
        Assert.Equal(3, rule.SubSteps);
        Assert.Equal(0.01, rule.SubStep, 1e-15);
        Assert.Equal(20, new EulerMaruyama(problem.Full, noise, 0.01, 0.0005).SubSteps);
        Assert.Equal(3, new EulerMaruyama(problem.Full, noise, 0.1, 0.04).SubSteps);
        Assert.Throws<ArgumentException>(() => new EulerMaruyama(problem.Full, noise, 0.01, 0.02));
    }
}
