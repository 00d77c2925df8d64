using SharpEdge.Curvature.Measurements;
using SharpEdge.Nn;
using static SharpEdge.Curvature.Tests.Measurements.NetworkFixtures;

namespace SharpEdge.Curvature.Tests.Measurements;

/// <summary>Eigenvalue measurements against a Jacobi eigendecomposition of matrices built column by column.</summary>
public class EigenvalueMeasurementTests
{
    private static double RelativeError(double actual, double expected) => Math.Abs(actual - expected) / Math.Abs(expected);

    [Theory]
    [InlineData(EigenMethod.Lanczos, "mse")]
    [InlineData(EigenMethod.Lobpcg, "mse")]
    [InlineData(EigenMethod.Power, "mse")]
    [InlineData(EigenMethod.Lanczos, "ce")]
    [InlineData(EigenMethod.Lobpcg, "ce")]
    [InlineData(EigenMethod.Power, "ce")]
    public void Lambda_max_equals_the_dense_eigendecomposition(EigenMethod method, string loss)
    {
        var (objective, theta) = Problem(loss);
        objective.Linearize(theta, new double[theta.Length]);
        var expected = Eigenvalues(Hessian(objective), theta.Length)[0];
        var result = new LambdaMax().Measure(Context(objective, theta, method: method));
        Assert.True(RelativeError(result.Value.Value, expected) < 1e-8, $"{method}: {result.Value.Value:R} vs {expected:R}");
        Assert.Null(result.Value.StandardError);
        Assert.True((bool)result.Details["converged"]);
        Assert.True(result.Value.Products > 0);
    }

    /// <summary>λ_max needs no gradient: the context linearizes for products only, and a later reader of g gets it
    /// completed, equal to the gradient of a full linearization.</summary>
    [Fact]
    public void Lambda_max_leaves_the_gradient_to_the_first_measurement_that_reads_it()
    {
        var (objective, theta) = Problem("ce");
        var context = Context(objective, theta);
        new LambdaMax().Measure(context);
        Assert.True(context.IsLinearized);
        Assert.False(context.HasGradient);
        var (reference, _) = Problem("ce");
        var g = new double[theta.Length];
        Assert.Equal(reference.Linearize(theta, g), context.Loss, 1e-14);
        Assert.Equal(g.Sum(x => x * x), context.GradientNormSquared, 1e-12 * g.Sum(x => x * x));
        Assert.True(context.HasGradient);
        for (int i = 0; i < g.Length; i++) Assert.Equal(g[i], context.Gradient[i], 1e-13);
    }

    [Theory]
    [InlineData(EigenMethod.Lanczos, "mse")]
    [InlineData(EigenMethod.Lobpcg, "mse")]
    [InlineData(EigenMethod.Lanczos, "ce")]
    [InlineData(EigenMethod.Lobpcg, "ce")]
    public void Top_5_equal_the_dense_eigendecomposition(EigenMethod method, string loss)
    {
        var (objective, theta) = Problem(loss);
        objective.Linearize(theta, new double[theta.Length]);
        var expected = Eigenvalues(Hessian(objective), theta.Length)[..5];
        var result = new TopK().WithArgument(5).Measure(Context(objective, theta, method: method));
        Assert.NotNull(result.Vector);
        Assert.Equal(5, result.Vector!.Length);
        for (int i = 0; i < 5; i++)
            Assert.True(RelativeError(result.Vector[i], expected[i]) < 1e-8, $"{method} λ{i + 1}: {result.Vector[i]:R} vs {expected[i]:R}");
        Assert.Equal(result.Vector[0], result.Value.Value);
        Assert.Equal(["top_k_1", "top_k_2", "top_k_3", "top_k_4", "top_k_5"], result.Metrics().Select(m => m.Metric));
    }

    [Fact]
    public void Top_k_with_power_iteration_is_refused_with_the_reason()
    {
        var (objective, theta) = Problem();
        var e = Assert.ThrowsAny<ArgumentException>(() => new TopK().Measure(Context(objective, theta, method: EigenMethod.Power)));
        Assert.Contains("power iteration", e.Message);
    }

    [Fact]
    public void A_second_solve_is_shared_and_a_later_context_is_warm_started()
    {
        var (objective, theta) = Problem();
        var cache = new EigenvectorCache();
        var context = new MeasurementContext<double>(objective, theta) { Method = EigenMethod.Lanczos, WarmStart = cache };
        var top = new TopK().Measure(context);
        var lambda = new LambdaMax().Measure(context);
        Assert.Equal(top.Vector![0], lambda.Value.Value);
        Assert.Equal(0, lambda.Value.Products);
        Assert.True((bool)lambda.Details["shared"]);

        var cold = new LambdaMax().Measure(new MeasurementContext<double>(objective, theta) { Method = EigenMethod.Lobpcg });
        var warm = new LambdaMax().Measure(new MeasurementContext<double>(objective, theta) { Method = EigenMethod.Lobpcg, WarmStart = cache });
        Assert.True(warm.Value.Products < cold.Value.Products / 2, $"warm {warm.Value.Products} products, cold {cold.Value.Products}");
        Assert.Equal(cold.Value.Value, warm.Value.Value, 1e-10);
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void Gauss_newton_lambda_max_equals_the_dense_gauss_newton_matrix(string loss)
    {
        var (objective, theta) = Problem(loss);
        objective.Linearize(theta, new double[theta.Length]);
        var g = FromColumns(theta.Length, (e, column) => objective.GaussNewtonVectorProduct(e, column));
        var expected = Eigenvalues(g, theta.Length)[0];
        var result = new GaussNewtonLambdaMax().Measure(Context(objective, theta, method: EigenMethod.Lanczos));
        Assert.True(RelativeError(result.Value.Value, expected) < 1e-8, $"{result.Value.Value:R} vs {expected:R}");
    }

    [Theory]
    [InlineData("mse", EigenMethod.Lanczos)]
    [InlineData("ce", EigenMethod.Lanczos)]
    [InlineData("ce", EigenMethod.Dense)]
    public void Fisher_lambda_max_is_the_top_eigenvalue_of_two_over_n_JtJ_for_three_outputs(string loss, EigenMethod method)
    {
        var (objective, theta) = Problem(loss);
        objective.Linearize(theta, new double[theta.Length]);
        int n = objective.Data.Count, outputs = objective.Network.OutputSize, p = theta.Length;
        // J column by column from J e_j, then (2/n) JᵀJ
        var jacobian = new double[n * outputs * p];
        var e = new double[p];
        var column = new double[n * outputs];
        for (int j = 0; j < p; j++)
        {
            Array.Clear(e);
            e[j] = 1;
            objective.Jvp(e, column);
            for (int r = 0; r < column.Length; r++) jacobian[r * p + j] = column[r];
        }
        var jtj = new double[p * p];
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++)
            {
                double s = 0;
                for (int r = 0; r < n * outputs; r++) s += jacobian[r * p + a] * jacobian[r * p + b];
                jtj[a * p + b] = 2.0 / n * s;
            }
        var expected = Eigenvalues(jtj, p)[0];
        var result = new FisherLambdaMax().Measure(Context(objective, theta, method: method));
        Assert.True(RelativeError(result.Value.Value, expected) < 1e-8, $"{result.Value.Value:R} vs {expected:R}");
        if (loss == "mse")
        {
            // for EoSS's MSE the Gauss-Newton matrix is (2/n) JᵀJ itself
            var gn = new GaussNewtonLambdaMax().Measure(Context(objective, theta, method: method));
            Assert.True(RelativeError(gn.Value.Value, expected) < 1e-8);
        }
    }

    [Fact]
    public void Step_measurements_use_the_training_batch()
    {
        var (objective, theta) = Problem("ce", count: 16);
        int[] batch = [3, 7, 11, 12, 0];
        var context = new MeasurementContext<double>(objective, theta) { TrainingBatch = batch, Method = EigenMethod.Lanczos };
        var batchObjective = new Objective<double>(objective.Network, objective.Loss, objective.Data.Gather(batch));
        var g = new double[theta.Length];
        batchObjective.Linearize(theta, g);
        var hg = new double[theta.Length];
        batchObjective.HessianVectorProduct(g, hg);

        var step = new StepSharpness().Measure(context);
        Assert.Equal(Dot(g, hg) / Dot(g, g), step.Value.Value, 1e-12);
        Assert.Null(step.Value.StandardError);

        var expected = Eigenvalues(Hessian(batchObjective), theta.Length)[0];
        var lambda = new StepBatchLambdaMax().Measure(context);
        Assert.True(RelativeError(lambda.Value.Value, expected) < 1e-8);

        var gn = Eigenvalues(FromColumns(theta.Length, (e, c) => batchObjective.GaussNewtonVectorProduct(e, c)), theta.Length)[0];
        // (2/b) J_BᵀJ_B is the MSE Gauss-Newton matrix of the batch; for ce compare with an mse objective on the same batch
        var mse = new Objective<double>(objective.Network, new MeanSquaredError<double>(), Data("mse", 16).Gather(batch));
        mse.Linearize(theta, new double[theta.Length]);
        var expectedFisher = Eigenvalues(FromColumns(theta.Length, (e, c) => mse.GaussNewtonVectorProduct(e, c)), theta.Length)[0];
        var fisher = new StepFisherLambdaMax().Measure(context);
        Assert.True(RelativeError(fisher.Value.Value, expectedFisher) < 1e-8, $"{fisher.Value.Value:R} vs {expectedFisher:R}");
        Assert.True(Math.Abs(gn - fisher.Value.Value) > 1e-3 * gn, "for ce the Fisher value is not the ce Gauss-Newton λ_max");
    }

    [Fact]
    public void Gradient_projection_matches_the_dense_eigenvectors()
    {
        var (objective, theta) = Problem();
        var g = new double[theta.Length];
        objective.Linearize(theta, g);
        var (_, vectors) = Jacobi(Hessian(objective), theta.Length);
        // eigenvectors are accurate to about tol/gap, so ask for a tight tolerance
        var context = new MeasurementContext<double>(objective, theta) { Method = EigenMethod.Lanczos, Tolerance = 1e-11 };
        var result = new GradientProjection().WithArgument(3).Measure(context);
        Assert.True((bool)result.Details["converged"]);
        double normSquared = Dot(g, g), cumulative = 0;
        for (int i = 0; i < 3; i++)
        {
            var c = Dot(vectors[i], g);
            cumulative += c * c;
            Assert.Equal(cumulative / normSquared, result.Vector![i], 1e-8);
        }
        Assert.Equal(cumulative / normSquared, result.Value.Value, 1e-8);
        Assert.Equal(1 - cumulative / normSquared, result.Parts.Single(p => p.Suffix == "residual").Estimate.Value, 1e-8);
    }

    [Fact]
    public void Second_moment_contraction_equals_the_dense_operator_on_the_same_batches()
    {
        var (objective, theta) = Problem(count: 10);
        const double eta = 0.3;
        const int batches = 6;
        var context = Context(objective, theta, seed: 4, batch: 3, method: EigenMethod.Lanczos, lr: eta);
        var result = new SecondMomentContraction().WithArgument(batches).Measure(context);

        objective.Linearize(theta, new double[theta.Length]);
        int p = theta.Length;
        var h = Hessian(objective);
        var m = new double[p * p];
        for (int i = 0; i < m.Length; i++) m[i] = -2 * eta * h[i];
        for (int k = 0; k < batches; k++)
        {
            var hb = BatchHessian(objective, theta, context.Sampler.Batches[k]);
            for (int i = 0; i < p; i++)
                for (int j = 0; j < p; j++)
                {
                    double s = 0;
                    for (int l = 0; l < p; l++) s += hb[i * p + l] * hb[l * p + j];
                    m[i * p + j] += eta * eta / batches * s;
                }
        }
        var expected = Eigenvalues(m, p)[0];
        Assert.True(RelativeError(result.Value.Value, expected) < 1e-8, $"{result.Value.Value:R} vs {expected:R}");
        Assert.Null(result.Value.StandardError);
        Assert.Equal(result.Value.Products, (int)result.Details["operator_products"] * (1 + 2 * batches));
    }

    [Fact]
    public void Parameter_distance_is_the_euclidean_norm_of_the_displacement()
    {
        var (objective, theta) = Problem();
        var initial = theta.Select((t, i) => t + (i % 3 == 0 ? 0.5 : -0.25)).ToArray();
        var context = new MeasurementContext<double>(objective, theta) { InitialParameters = initial };
        var expected = Math.Sqrt(theta.Select((t, i) => (t - initial[i]) * (t - initial[i])).Sum());
        Assert.Equal(expected, new ParameterDistance().Measure(context).Value.Value, 1e-13);
        var missing = Assert.Throws<ArgumentException>(() => new MeasurementContext<double>(objective, theta).Validate([new ParameterDistance()]));
        Assert.Contains("parameter-distance needs the initial parameters", missing.Message);
    }
}
