using SharpEdge.Curvature.Measurements;
using SharpEdge.Nn;
using static SharpEdge.Curvature.Tests.Measurements.NetworkFixtures;

namespace SharpEdge.Curvature.Tests.Measurements;

/// <summary>
/// <see cref="MeasurementContext{T}.CurvatureSubset"/>: full-data curvature measurements on N samples drawn without
/// replacement from the seed, against dense references built from exactly those samples.
/// </summary>
public class CurvatureSubsetTests
{
    private const int Samples = 40, Subset = 15;

    private static MeasurementContext<double> SubsetContext(Objective<double> objective, double[] theta, ulong seed, int subset = Subset, int? batch = null) =>
        new(objective, theta) { Seed = seed, CurvatureSubset = subset, Method = EigenMethod.Lanczos, BatchSize = batch, Threads = 2 };

    /// <summary>A linearized objective over the samples at <paramref name="indices"/> only.</summary>
    private static Objective<double> Restricted(Objective<double> full, double[] theta, ReadOnlySpan<int> indices)
    {
        var objective = new Objective<double>(full.Network, full.Loss, full.Data.Gather(indices));
        objective.Linearize(theta, new double[theta.Length]);
        return objective;
    }

    [Theory]
    [InlineData("mse", 1UL)]
    [InlineData("ce", 2UL)]
    public void Subset_lambda_max_and_top_k_equal_the_dense_eigendecomposition_of_the_hessian_of_those_samples(string loss, ulong seed)
    {
        var (objective, theta) = Problem(loss, Samples);
        var context = SubsetContext(objective, theta, seed);
        var indices = context.CurvatureIndices.ToArray();
        Assert.Equal(Subset, indices.Length);
        Assert.Equal(indices.Order(), indices);
        Assert.Equal(Subset, indices.Distinct().Count());
        Assert.All(indices, i => Assert.InRange(i, 0, Samples - 1));

        var expected = Eigenvalues(Hessian(Restricted(objective, theta, indices)), theta.Length);
        var lambda = new LambdaMax().Measure(context);
        Assert.Equal(expected[0], lambda.Value.Value, 1e-8 * Math.Abs(expected[0]));
        var top = new TopK().WithArgument(3).Measure(SubsetContext(objective, theta, seed));
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], top.Vector![i], 1e-8 * Math.Abs(expected[0]));

        // and it is not the full-data value: the option changes what is measured
        objective.Linearize(theta, new double[theta.Length]);
        var all = Eigenvalues(Hessian(objective), theta.Length)[0];
        Assert.True(Math.Abs(all - expected[0]) > 1e-3 * Math.Abs(all), $"subset {expected[0]} vs all {all}");
    }

    [Fact]
    public void Loss_gradient_and_fisher_scale_are_those_of_the_subset()
    {
        var (objective, theta) = Problem("mse", Samples);   // mse: the Fisher value is λ_max of the objective's own Gauss–Newton matrix
        var context = SubsetContext(objective, theta, seed: 4);
        var reference = new Objective<double>(objective.Network, objective.Loss, objective.Data.Gather(context.CurvatureIndices));
        var g = new double[theta.Length];
        reference.Linearize(theta, g);
        Assert.Equal(reference.LinearizationLoss, context.Loss, 1e-12);
        Assert.Equal(Dot(g, g), context.GradientNormSquared, 1e-12 * Dot(g, g));
        // λ_max(F) = (2/N)·λ_max(NTK Gram) over the N subset samples, checked against the Gauss–Newton matrix of the subset
        var gaussNewton = FromColumns(theta.Length, (v, image) => reference.GaussNewtonVectorProduct(v, image));
        var fisher = new FisherLambdaMax().Measure(context);
        var expected = Eigenvalues(gaussNewton, theta.Length)[0];
        Assert.Equal(expected, fisher.Value.Value, 1e-7 * expected);
    }

    [Fact]
    public void The_same_seed_draws_the_same_subset_and_other_seeds_draw_uniformly()
    {
        var (objective, theta) = Problem("mse", Samples);
        Assert.Equal(SubsetContext(objective, theta, 7).CurvatureIndices.ToArray(), SubsetContext(objective, theta, 7).CurvatureIndices.ToArray());
        Assert.NotEqual(SubsetContext(objective, theta, 7).CurvatureIndices.ToArray(), SubsetContext(objective, theta, 8).CurvatureIndices.ToArray());

        // over 2,000 seeds each sample is drawn Binomial(2000, 15/40) times: mean 750, SD 21.7; six SDs either side
        const int draws = 2000;
        var counts = new int[Samples];
        for (ulong seed = 0; seed < draws; seed++)
            foreach (var i in SubsetContext(objective, theta, seed).CurvatureIndices) counts[i]++;
        double mean = draws * (double)Subset / Samples, sd = Math.Sqrt(draws * (double)Subset / Samples * (1 - (double)Subset / Samples));
        Assert.All(counts, c => Assert.InRange(c, mean - 6 * sd, mean + 6 * sd));
    }

    [Fact]
    public void Zero_or_at_least_n_means_all_samples()
    {
        var (objective, theta) = Problem("mse", Samples);
        foreach (var subset in new[] { 0, Samples, Samples + 5 })
        {
            var context = SubsetContext(objective, theta, 3, subset);
            Assert.False(context.HasCurvatureSubset);
            Assert.Same(objective, context.Curvature);
            Assert.Equal(Enumerable.Range(0, Samples), context.CurvatureIndices.ToArray());
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => SubsetContext(objective, theta, 3, -1));
    }

    [Fact]
    public void A_reused_workspace_gives_each_context_its_own_subset_bit_for_bit()
    {
        var (objective, theta) = Problem("mse", Samples);
        var workspace = MeasurementContext<double>.CreateSubsetWorkspace(objective, Subset);
        foreach (var seed in new ulong[] { 1, 2, 1 })
        {
            var fresh = new LambdaMax().Measure(SubsetContext(objective, theta, seed));
            var reused = new LambdaMax().Measure(new MeasurementContext<double>(objective, theta)
            {
                Seed = seed, CurvatureSubset = Subset, Method = EigenMethod.Lanczos, SubsetWorkspace = workspace,
            });
            Assert.Equal(fresh.Value.Value, reused.Value.Value);
        }
        var wrongSize = new MeasurementContext<double>(objective, theta) { CurvatureSubset = Subset + 1, SubsetWorkspace = workspace };
        Assert.Throws<InvalidOperationException>(() => wrongSize.Curvature);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Subset)]
    public void Lanczos_lambda_max_warm_starts_from_the_previous_contexts_vector(int subset)
    {
        var (objective, theta) = Problem("mse", Samples);
        var cache = new EigenvectorCache();
        MeasurementContext<double> At(double[] point, ulong seed) => new(objective, point)
        {
            Seed = seed, CurvatureSubset = subset, Method = EigenMethod.Lanczos, Tolerance = 1e-6, WarmStart = cache,
        };
        var cold = new LambdaMax().Measure(At(theta, 1));
        // the same point and samples again: the stored eigenvector is converged, so the warm solve needs almost no products
        var again = new LambdaMax().Measure(At(theta, 1));
        Assert.Equal(cold.Value.Value, again.Value.Value, 1e-6 * Math.Abs(cold.Value.Value));
        Assert.True(again.Value.Products <= 3, $"warm at the same point: {again.Value.Products} products, cold {cold.Value.Products}");
        Assert.True(cold.Value.Products >= 10, $"cold: {cold.Value.Products} products");
    }

    [Fact]
    public void Batch_sharpness_keeps_drawing_from_all_samples()
    {
        var (objective, theta) = Problem("mse", Samples);
        var monteCarlo = new MonteCarloSettings(50, 50, 0);
        var withSubset = new BatchSharpness().Measure(new MeasurementContext<double>(objective, theta) { Seed = 9, BatchSize = 4, CurvatureSubset = Subset, MonteCarlo = monteCarlo });
        var without = new BatchSharpness().Measure(new MeasurementContext<double>(objective, theta) { Seed = 9, BatchSize = 4, MonteCarlo = monteCarlo });
        Assert.Equal(without.Value.Value, withSubset.Value.Value);
        Assert.Equal(without.Value.StandardError, withSubset.Value.StandardError);
    }

    [Fact]
    public void Gni_with_a_subset_estimates_its_expectation_over_single_samples_of_the_subset()
    {
        // b = 1: E_B[g_Bᵀ H g_B] is the mean over the N subset samples of g_iᵀ H_S g_i, enumerable exactly
        var (objective, theta) = Problem("mse", Samples);
        var context = SubsetContext(objective, theta, seed: 5, batch: 1);
        var indices = context.CurvatureIndices.ToArray();
        var subset = Restricted(objective, theta, indices);
        var g = new double[theta.Length];
        subset.Linearize(theta, g);
        var hessian = Hessian(subset);
        double sum = 0;
        foreach (var i in indices)
        {
            var single = Restricted(objective, theta, [i]);
            var gi = new double[theta.Length];
            single.Linearize(theta, gi);
            sum += QuadraticForm(hessian, gi);
        }
        var expected = sum / indices.Length / Dot(g, g);
        var gni = new GradientNoiseInteraction().Measure(new MeasurementContext<double>(objective, theta)
        {
            Seed = 5, CurvatureSubset = Subset, BatchSize = 1, MonteCarlo = new MonteCarloSettings(400, 400, 0),
        });
        var se = gni.Value.StandardError!.Value;
        Assert.True(Math.Abs(gni.Value.Value - expected) < 4 * se, $"GNI {gni.Value.Value} ± {se}, expected {expected}");
    }

    private static double QuadraticForm(double[] matrix, double[] v)
    {
        int n = v.Length;
        double sum = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) sum += v[i] * matrix[i * n + j] * v[j];
        return sum;
    }
}
