using SharpEdge.Curvature.Measurements;
using static SharpEdge.Curvature.Tests.Measurements.NetworkFixtures;

namespace SharpEdge.Curvature.Tests.Measurements;

/// <summary>Per-layer λ_max, top-k and trace against the diagonal blocks of the dense Hessian.</summary>
public class PerLayerMeasurementTests
{
    private static double[] DiagonalBlock(double[] matrix, int n, ParameterBlock block)
    {
        var result = new double[block.Count * block.Count];
        for (int i = 0; i < block.Count; i++)
            for (int j = 0; j < block.Count; j++) result[i * block.Count + j] = matrix[(block.Offset + i) * n + block.Offset + j];
        return result;
    }

    [Theory]
    [InlineData(EigenMethod.Auto, "mse")]
    [InlineData(EigenMethod.Lanczos, "ce")]
    public void Lambda_max_top_k_and_trace_of_each_tensor_equal_the_dense_hessian_block(EigenMethod method, string loss)
    {
        var (objective, theta) = Problem(loss);
        objective.Linearize(theta, new double[theta.Length]);
        int p = theta.Length;
        var hessian = Hessian(objective);
        // a cap of 20 probes: tensors up to 20 parameters get their exact trace, the two larger ones Hutchinson's
        var monteCarlo = new MonteCarloSettings(MaxSamples: 20);
        var context = Context(objective, theta, seed: 7, method: method, monteCarlo: monteCarlo);
        var layers = PerLayerMeasurements.Measure(context, [new LambdaMax(), new TopK().WithArgument(5), new HessianTrace(), new GradientNormSquared()]);

        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"],
            layers.Select(l => l.Block.Name));
        Assert.Equal(p, layers.Sum(l => l.Block.Count));
        double globalMax = Eigenvalues(hessian, p)[0];
        foreach (var layer in layers)
        {
            var block = layer.Block;
            var dense = DiagonalBlock(hessian, p, block);
            var expected = Eigenvalues(dense, block.Count);
            Assert.Equal(["lambda-max", "top-k", "trace"], layer.Results.Select(r => r.Name)); // gradient-norm-squared has no per-layer form

            var lambda = layer.Results[0].Value.Value;
            Assert.True(Math.Abs(lambda - expected[0]) <= 1e-8 * Math.Abs(expected[0]), $"{block.Name}: λ_max {lambda:R} vs {expected[0]:R}");
            Assert.True(lambda <= globalMax * (1 + 1e-12), "a diagonal block's λ_max interlaces below the Hessian's");

            var top = layer.Results[1].Vector!;
            Assert.Equal(Math.Min(5, block.Count), top.Length); // the biases of 4 and 3 parameters have fewer than 5
            for (int i = 0; i < top.Length; i++)
                Assert.True(Math.Abs(top[i] - expected[i]) <= 1e-8 * Math.Abs(expected[0]), $"{block.Name}: λ{i + 1} {top[i]:R} vs {expected[i]:R}");

            double trace = 0;
            for (int i = 0; i < block.Count; i++) trace += dense[i * block.Count + i];
            var estimate = layer.Results[2].Value;
            if (block.Count <= 20)
            {
                Assert.Null(estimate.StandardError); // a small tensor gets its exact trace from its unit vectors
                Assert.Equal(trace, estimate.Value, 1e-10 * Math.Abs(hessian.Max(Math.Abs)));
                Assert.Equal(block.Count, estimate.Products);
            }
            else
            {
                var se = estimate.StandardError!.Value;
                Assert.Equal(20, estimate.Samples);
                Assert.True(se > 0 && Math.Abs(estimate.Value - trace) < 4 * se, $"{block.Name}: trace {estimate.Value:R} ± {se:G3} vs {trace:R}");
            }
        }
    }

    [Fact]
    public void Lambda_max_and_top_k_of_one_tensor_share_the_top_k_solve_and_its_warm_start_entry()
    {
        var (objective, theta) = Problem();
        var cache = new EigenvectorCache();
        var context = new MeasurementContext<double>(objective, theta) { Method = EigenMethod.Lanczos, WarmStart = cache };
        var layer = PerLayerMeasurements.Measure(context, [new TopK().WithArgument(3), new LambdaMax()])[0];
        Assert.Equal(layer.Results[0].Vector![0], layer.Results[1].Value.Value);
        Assert.Equal(0, layer.Results[1].Value.Products);
        Assert.Equal(3, cache.Get(EigenvectorCache.HessianBlock(layer.Block), layer.Block.Count)!.Count);
        Assert.Null(cache.Get(EigenvectorCache.Hessian, theta.Length)); // the full Hessian's entry is untouched
    }

    [Fact]
    public void A_list_without_per_layer_measurements_is_refused_by_name()
    {
        var (objective, theta) = Problem();
        var e = Assert.Throws<ArgumentException>(() => PerLayerMeasurements.Measure(Context(objective, theta), [new GradientNormSquared()]));
        Assert.Contains("lambda-max", e.Message);
        Assert.Contains("trace", e.Message);
    }
}
