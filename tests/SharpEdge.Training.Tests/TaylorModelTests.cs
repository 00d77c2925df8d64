using static SharpEdge.Training.Tests.DoubleProblem;

namespace SharpEdge.Training.Tests;

public sealed class TaylorModelTests
{
    private static int[] BatchOf(int step, int batch, int samples) => [.. Enumerable.Range(step * batch % samples, batch)];

    [Fact]
    public void On_linear_regression_quadratic_dynamics_follow_the_true_sgd_trajectory_to_1e12()
    {
        // MSE of a linear model is exactly quadratic in θ, so its batch Taylor model around any θ_s is the batch loss itself
        var problem = new DoubleProblem("mlp:6-3:identity", 6, 3, 32, "mse", seed: 11);
        const double lr = 0.02;
        const int switchStep = 5, steps = 60, b = 4;
        var model = new TaylorModel<double>(problem.P, gaussNewton: false);
        var sgd = (double[])problem.Theta.Clone();
        double[]? anchor = null, delta = null;
        var q = new double[problem.P];
        double worstTheta = 0, worstLoss = 0;
        for (int t = 0; t < steps; t++)
        {
            var batch = problem.Batch(BatchOf(t, b, 32));
            var g = new double[problem.P];
            var trueLoss = batch.Linearize(sgd, g);
            if (t == switchStep) (anchor, delta) = ((double[])sgd.Clone(), new double[problem.P]);
            if (anchor is not null)
            {
                var modelLoss = model.Gradient(batch, anchor, delta!, q);
                for (int j = 0; j < q.Length; j++) delta![j] -= lr * q[j];
                worstLoss = Math.Max(worstLoss, Math.Abs(modelLoss - trueLoss) / trueLoss);
            }
            for (int j = 0; j < g.Length; j++) sgd[j] -= lr * g[j];
            if (anchor is not null)
                worstTheta = Math.Max(worstTheta, Distance(sgd, [.. anchor.Zip(delta!, (a, d) => a + d)]) / Norm(sgd));
        }
        Assert.InRange(worstTheta, 0, 1e-12);
        Assert.InRange(worstLoss, 0, 1e-12);
        Assert.True(Distance(sgd, problem.Theta) > 0.1 * Norm(problem.Theta));   // and the run went somewhere
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void On_a_tanh_network_the_model_gradient_is_g_plus_H_delta_with_a_finite_difference_Hessian(string loss)
    {
        var problem = new DoubleProblem("mlp:5-6-3:tanh", 5, 3, 10, loss, seed: 3);
        var batch = problem.Batch([1, 4, 5, 8]);
        var delta = new double[problem.P];
        new SharpEdge.Numerics.Rng(9).FillNormal(delta, 0, 0.3);
        var q = new double[problem.P];
        var modelLoss = new TaylorModel<double>(problem.P, gaussNewton: false).Gradient(batch, problem.Theta, delta, q);

        var g = Gradient(batch, problem.Theta);
        var lossAtAnchor = batch.Evaluate(problem.Theta);
        var hessian = FiniteDifferenceHessian(batch, problem.Theta);
        var hDelta = Times(hessian, delta);
        var expected = g.Zip(hDelta, (a, c) => a + c).ToArray();
        Assert.InRange(Distance(q, expected) / Norm(expected), 0, 1e-7);
        Assert.Equal(lossAtAnchor + Dot(g, delta) + 0.5 * Dot(delta, hDelta), modelLoss, 1e-7);
        // the model is not the loss: the network is far from quadratic at this δ
        var moved = problem.Theta.Zip(delta, (a, d) => a + d).ToArray();
        Assert.True(Math.Abs(batch.Evaluate(moved) - modelLoss) > 1e-3);
        // and its full-data form from a kept linearization agrees with the one from scratch
        var full = problem.Full();
        var model = new TaylorModel<double>(problem.P, gaussNewton: false);
        var fromScratch = model.Gradient(full, problem.Theta, delta, q);
        var gFull = new double[problem.P];
        var anchorLoss = full.Linearize(problem.Theta, gFull);
        Assert.Equal(fromScratch, model.Loss(full, anchorLoss, gFull, delta), 1e-12 * Math.Abs(fromScratch));
    }

    [Fact]
    public void The_gauss_newton_model_uses_two_over_n_sum_of_jacobian_products_for_mse()
    {
        // G = (2/n) Σ_i J_iᵀJ_i for MSE summed over outputs (the original's quadratic GN dynamics drop the 2, §15.1.12)
        var problem = new DoubleProblem("mlp:4-5-2:tanh", 4, 2, 6, "mse", seed: 5);
        int[] samples = [0, 2, 3];
        var batch = problem.Batch(samples);
        var delta = new double[problem.P];
        new SharpEdge.Numerics.Rng(2).FillNormal(delta);
        var q = new double[problem.P];
        var modelLoss = new TaylorModel<double>(problem.P, gaussNewton: true).Gradient(batch, problem.Theta, delta, q);

        // J_i by central differences of the network outputs
        var jacobians = samples.Select(i => OutputJacobian(problem, i)).ToArray();
        var gDelta = new double[problem.P];
        foreach (var j in jacobians)
            for (int c = 0; c < j.GetLength(0); c++)
            {
                double jd = 0;
                for (int a = 0; a < problem.P; a++) jd += j[c, a] * delta[a];
                for (int a = 0; a < problem.P; a++) gDelta[a] += 2.0 / samples.Length * j[c, a] * jd;
            }
        var g = Gradient(batch, problem.Theta);
        var expected = g.Zip(gDelta, (a, c) => a + c).ToArray();
        Assert.InRange(Distance(q, expected) / Norm(expected), 0, 1e-7);
        Assert.Equal(batch.Evaluate(problem.Theta) + Dot(g, delta) + 0.5 * Dot(delta, gDelta), modelLoss, 1e-7 * Math.Abs(modelLoss));
    }

    private static double[,] OutputJacobian(DoubleProblem problem, int sample, double h = 1e-6)
    {
        int outputs = problem.Data.Outputs;
        var tape = problem.Network.CreateTape(1);
        var jacobian = new double[outputs, problem.P];
        var theta = (double[])problem.Theta.Clone();
        double[] Outputs()
        {
            problem.Network.Forward(tape, theta, problem.Data.InputRows(sample, 1), 1);
            return tape.Output.ToArray();
        }
        for (int a = 0; a < problem.P; a++)
        {
            theta[a] = problem.Theta[a] + h;
            var up = Outputs();
            theta[a] = problem.Theta[a] - h;
            var down = Outputs();
            theta[a] = problem.Theta[a];
            for (int c = 0; c < outputs; c++) jacobian[c, a] = (up[c] - down[c]) / (2 * h);
        }
        return jacobian;
    }
}
