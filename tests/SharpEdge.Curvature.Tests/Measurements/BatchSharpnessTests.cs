using SharpEdge.Curvature.Measurements;
using SharpEdge.Nn;
using static SharpEdge.Curvature.Tests.Measurements.NetworkFixtures;

namespace SharpEdge.Curvature.Tests.Measurements;

/// <summary>
/// Monte-Carlo batch measurements against exact expectations over every batch of a tiny data set
/// (8 samples, batch 2: 28 batches, each equally likely under sampling without replacement).
/// </summary>
public class BatchSharpnessTests
{
    private const int Count = 8, Batch = 2;

    private sealed record BatchTerms(double[] Gradient, double Curvature, double NormSquared, double GaussNewton, double LambdaMax);

    /// <summary>g_B, g_Bᵀ H_B g_B, ‖g_B‖², g_Bᵀ G_B g_B and λ_max(H_B) of every batch, from plain products.</summary>
    private static List<BatchTerms> Enumerate(Objective<double> full, double[] theta) =>
        Subsets(Count, Batch).Select(batch =>
        {
            var objective = new Objective<double>(full.Network, full.Loss, full.Data.Gather(batch));
            var g = new double[theta.Length];
            objective.Linearize(theta, g);
            var hg = new double[theta.Length];
            objective.HessianVectorProduct(g, hg);
            var gg = new double[theta.Length];
            objective.GaussNewtonVectorProduct(g, gg);
            var lambda = Eigenvalues(Hessian(objective), theta.Length)[0];
            return new BatchTerms(g, Dot(g, hg), Dot(g, g), Dot(g, gg), lambda);
        }).ToList();

    private static (Objective<double>, double[], List<BatchTerms>) Setup(string loss = "mse")
    {
        var (objective, theta) = Problem(loss, Count);
        var terms = Enumerate(objective, theta);
        Assert.Equal(28, terms.Count);
        return (objective, theta, terms);
    }

    [Fact]
    public void Batch_sharpness_is_within_three_standard_errors_of_the_enumerated_expectation_in_95_of_100_seeds()
    {
        var (objective, theta, terms) = Setup();
        var exact = terms.Average(t => t.Curvature / t.NormSquared);
        int within = 0;
        for (ulong seed = 0; seed < 100; seed++)
        {
            var estimate = new BatchSharpness().Measure(Context(objective, theta, seed, Batch)).Value;
            Assert.NotNull(estimate.StandardError);
            Assert.True(estimate.StandardError > 0);
            Assert.InRange(estimate.Samples, 21, 1000);
            if (Math.Abs(estimate.Value - exact) <= 3 * estimate.StandardError!.Value) within++;
        }
        Assert.True(within >= 95, $"{within} of 100 estimates within 3 SE of {exact}");
    }

    [Fact]
    public void Ratio_of_means_gauss_newton_and_gradient_norm_match_their_enumerated_expectations()
    {
        var (objective, theta, terms) = Setup("ce");
        var context = Context(objective, theta, seed: 5, batch: Batch);
        void Check(IMeasurement m, double exact)
        {
            var e = m.Measure(context).Value;
            Assert.True(Math.Abs(e.Value - exact) <= 4 * e.StandardError!.Value, $"{m.Name}: {e.Value} ± {e.StandardError} vs exact {exact}");
        }
        Check(new BatchSharpnessRatioOfMeans(), terms.Average(t => t.Curvature) / terms.Average(t => t.NormSquared));
        Check(new GaussNewtonBatchSharpness(), terms.Average(t => t.GaussNewton / t.NormSquared));
        Check(new GradientNormSquared(), terms.Average(t => t.NormSquared));
    }

    [Fact]
    public void Batch_lambda_max_mean_and_max_match_the_batch_spectra()
    {
        var (objective, theta, terms) = Setup();
        var context = Context(objective, theta, seed: 2, batch: Batch, monteCarlo: MonteCarloSettings.Fixed(60));
        var result = new BatchLambdaMax().Measure(context);
        var exact = terms.Average(t => t.LambdaMax);
        Assert.True(Math.Abs(result.Value.Value - exact) <= 4 * result.Value.StandardError!.Value, $"{result.Value.Value} ± {result.Value.StandardError} vs {exact}");
        var max = result.Parts.Single(p => p.Suffix == "max").Estimate;
        Assert.Null(max.StandardError);
        // each sample is one of the 28 batch values, to the solver tolerance
        Assert.Contains(terms, t => Math.Abs(t.LambdaMax - max.Value) <= 1e-5 * t.LambdaMax);
        Assert.True(max.Value <= terms.Max(t => t.LambdaMax) * (1 + 1e-5));
        Assert.Equal(["batch_lambda_max", "batch_lambda_max_max"], result.Metrics().Select(m => m.Metric));
    }

    [Fact]
    public void Momentum_batch_sharpness_reduces_to_batch_sharpness_without_a_buffer_and_matches_enumeration_with_one()
    {
        var (objective, theta, terms) = Setup();
        var plain = new BatchSharpness().Measure(Context(objective, theta, seed: 9, batch: Batch)).Value;
        var noBuffer = new MomentumBatchSharpness().Measure(Context(objective, theta, seed: 9, batch: Batch, monteCarlo: new(MinSamples: 21))).Value;
        Assert.Equal(plain.Value, noBuffer.Value, 1e-9);
        Assert.Equal(plain.Samples, noBuffer.Samples);

        const double mu = 0.9;
        var buffer = terms[5].Gradient.Select((x, i) => 0.5 * x + 0.01 * Math.Sin(i)).ToArray();
        double Ratio(BatchTerms t)
        {
            var s = t.Gradient.Select((x, i) => x + mu * buffer[i]).ToArray();
            var o = new Objective<double>(objective.Network, objective.Loss, objective.Data.Gather(Subsets(Count, Batch).ElementAt(terms.IndexOf(t))));
            o.Linearize(theta, new double[theta.Length]);
            return o.QuadraticForm(s) / Dot(s, t.Gradient);
        }
        var exact = terms.Average(Ratio);
        var context = new MeasurementContext<double>(objective, theta) { Seed = 1, BatchSize = Batch, MomentumBuffer = buffer, Momentum = mu };
        var estimate = new MomentumBatchSharpness().Measure(context).Value;
        Assert.True(Math.Abs(estimate.Value - exact) <= 4 * estimate.StandardError!.Value, $"{estimate.Value} ± {estimate.StandardError} vs {exact}");
    }

    [Fact]
    public void Estimates_depend_on_the_seed_only_not_on_the_number_of_threads()
    {
        var (objective, theta) = Problem("ce", 40);
        var measurements = MeasurementRegistry.Parse("batch-sharpness,batch-sharpness-ratio-of-means,gradient-norm-squared,batch-lambda-max,gn-batch-sharpness");
        double[] Run(int threads)
        {
            var context = Context(objective, theta, seed: 77, batch: 5, threads: threads);
            return measurements.SelectMany(m => m.Measure(context).Metrics().SelectMany(x => new[] { x.Estimate.Value, x.Estimate.StandardError ?? 0, x.Estimate.Samples })).ToArray();
        }
        var one = Run(1);
        Assert.Equal(one, Run(2));
        Assert.Equal(one, Run(3));
        var other = Context(objective, theta, seed: 78, batch: 5);
        Assert.NotEqual(one[0], new BatchSharpness().Measure(other).Value.Value);
    }

    [Fact]
    public void Batches_are_drawn_without_replacement_and_uniformly()
    {
        var sequence = new BatchSequence(Count, Batch, new Numerics.Rng(3));
        var counts = new Dictionary<string, int>();
        const int draws = 28_000;
        for (int i = 0; i < draws; i++)
        {
            var batch = sequence[i].ToArray();
            Assert.Equal(Batch, batch.Distinct().Count());
            var key = string.Join(",", batch.Order());
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Assert.Equal(28, counts.Count);
        // each batch expected 1000 times, binomial SD ≈ 31
        Assert.All(counts.Values, c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public void Samples_allocate_almost_nothing()
    {
        // one worker runs on the calling thread, so its allocations are this thread's
        var (objective, theta) = Problem("mse", 64);
        long Allocated(int samples)
        {
            var context = Context(objective, theta, seed: 1, batch: 8, threads: 1, monteCarlo: MonteCarloSettings.Fixed(samples));
            new BatchSharpness().Measure(context);   // warm: workers, tapes, Gram scratch
            long before = GC.GetAllocatedBytesForCurrentThread();
            new BatchSharpness().Measure(context);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        long perSample = (Allocated(2000) - Allocated(200)) / 1800;
        Assert.True(perSample < 32, $"{perSample} bytes allocated per sample");
    }
}
