using SharpEdge.Nn;

namespace SharpEdge.Nn.Tests;

public class ObjectiveTests
{
    // L(θ) and ∇L at a linearization, then H·v and G·v there.
    private static (double Loss, double[] Gradient, double[] Hv, double[] Gv) LinearizeAndMultiply(Objective<double> o, double[] theta, double[] v)
    {
        var g = new double[theta.Length];
        var l = o.Linearize(theta, g);
        var hv = new double[theta.Length];
        o.HessianVectorProduct(v, hv);
        var gv = new double[theta.Length];
        o.GaussNewtonVectorProduct(v, gv);
        return (l, g, hv, gv);
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void Chunked_and_uncached_evaluation_equal_one_chunk(string loss)
    {
        var network = Fixtures.Mlp("tanh");
        var data = Fixtures.Data(loss, count: 10);
        var theta = Fixtures.Parameters(network);
        var v = Fixtures.RandomVector(theta.Length, 9);
        var whole = new Objective<double>(network, Loss<double>.FromName(loss), data);
        var chunked = new Objective<double>(network, Loss<double>.FromName(loss), data, chunkSize: 3);
        var uncached = new Objective<double>(network, Loss<double>.FromName(loss), data, chunkSize: 4, cacheBudgetBytes: 0);
        Assert.Equal(4, chunked.ChunkCount);

        var results = new[] { whole, chunked, uncached }.Select(o => LinearizeAndMultiply(o, theta, v)).ToArray();
        foreach (var r in results.Skip(1))
        {
            Assert.Equal(results[0].Loss, r.Loss, 1e-13);
            Assert.True(Fixtures.RelativeError(r.Gradient, results[0].Gradient) < 1e-13);
            Assert.True(Fixtures.RelativeError(r.Hv, results[0].Hv) < 1e-13);
            Assert.True(Fixtures.RelativeError(r.Gv, results[0].Gv) < 1e-13);
        }
        Assert.Equal(whole.Evaluate(theta), results[0].Loss, 1e-14);
    }

    /// <summary>
    /// The chunk tapes of one objective share one set of R buffers, and ReLU writes its output (and R{y}, R{dx}) over
    /// its input: with several chunks every product and the gradient equal those of one chunk, H·v matches central
    /// differences of the gradient, the dense Hessian is symmetric, and the shared buffers are held once.
    /// </summary>
    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void Chunk_tapes_sharing_r_buffers_and_in_place_relu_give_the_products_of_one_chunk(string loss)
    {
        var network = ModelSpec.Parse("mlp:5-6-6-3:relu").Build<double>([5], 3);
        var data = Fixtures.Data(loss, count: 10);
        var theta = Fixtures.Parameters(network);
        var v = Fixtures.RandomVector(theta.Length, 9);
        var u = Fixtures.RandomVector(10 * 3, 4);
        var whole = new Objective<double>(network, Loss<double>.FromName(loss), data);
        var twoChunks = new Objective<double>(network, Loss<double>.FromName(loss), data, chunkSize: 5);
        var threeChunks = new Objective<double>(network, Loss<double>.FromName(loss), data, chunkSize: 4);
        Assert.Equal(2, twoChunks.ChunkCount);
        Assert.Equal(3, threeChunks.ChunkCount);

        var results = new[] { whole, twoChunks, threeChunks }.Select(o =>
        {
            var (l, g, hv, gv) = LinearizeAndMultiply(o, theta, v);
            var jv = new double[10 * 3];
            o.Jvp(v, jv);
            var jtu = new double[theta.Length];
            o.Vjp(u, jtu);
            // a product after the others: the shared buffers hold nothing a later chunk or product relies on
            var hv2 = new double[theta.Length];
            o.HessianVectorProduct(g, hv2);
            return (Loss: l, Gradient: g, Hv: hv, Gv: gv, Jv: jv, JTu: jtu, Hg: hv2, Quadratic: o.QuadraticForm(v));
        }).ToArray();
        foreach (var r in results.Skip(1))
        {
            Assert.Equal(results[0].Loss, r.Loss, 1e-13);
            Assert.True(Fixtures.RelativeError(r.Gradient, results[0].Gradient) < 1e-12);
            Assert.True(Fixtures.RelativeError(r.Hv, results[0].Hv) < 1e-12);
            Assert.True(Fixtures.RelativeError(r.Gv, results[0].Gv) < 1e-12);
            Assert.True(Fixtures.RelativeError(r.Jv, results[0].Jv) < 1e-12);
            Assert.True(Fixtures.RelativeError(r.JTu, results[0].JTu) < 1e-12);
            Assert.True(Fixtures.RelativeError(r.Hg, results[0].Hg) < 1e-12);
            Assert.Equal(results[0].Quadratic, r.Quadratic, 1e-12 * Math.Abs(results[0].Quadratic));
        }
        Assert.Equal(results[0].Hv.Zip(v, (a, b) => a * b).Sum(), results[0].Quadratic, 1e-12 * Math.Abs(results[0].Quadratic));
        // independent of the R passes: central differences of the gradient (ReLU's kinks are far from θ ± 1e-6 v here)
        var reference = Fixtures.FiniteDifferenceHvp(new Objective<double>(network, Loss<double>.FromName(loss), data), theta, v, h: 1e-6);
        Assert.True(Fixtures.RelativeError(results[1].Hv, reference) < 1e-7);

        int p = theta.Length;
        var (asymmetry, norm) = Fixtures.Asymmetry(Fixtures.DenseHessian(twoChunks, theta), p);
        Assert.True(asymmetry < 1e-12 * norm, $"asymmetry {asymmetry} of a Hessian of size {norm}");

        // 5-6-6-3 with ReLU: boundaries of 6, 6 (ReLU, shared), 6, 6 (shared), 3 values per sample
        long perSample = sizeof(double) * (6 + 6 + 3);
        Assert.Equal(2 * 2 * 5 * perSample + 2 * 5 * perSample, twoChunks.HeldBytes);
    }

    /// <summary>
    /// Nothing is held for the flattened input of an MLP on images: the Flatten in front is a view of the caller's
    /// input, and no pass computes the input gradient of the first layer with parameters; each chunk holds its
    /// activations and output gradients, ReLU sharing those of the Linear before it, and the chunks share one set of
    /// R buffers.
    /// </summary>
    [Fact]
    public void Tapes_hold_no_gradients_below_the_first_layer_with_parameters()
    {
        int[] shape = [3, 2, 2];
        var network = ModelSpec.Parse("mlp:12-6-5-3:relu").Build<double>(shape, 3);
        Assert.Equal(12, network.Layers[0].OutputSize); // the flattened image
        Assert.Equal(0, network.Layers[0].ParameterCount);
        var data = ConvFixtures.Images("mse", shape, 10, 3, seed: 5);
        var objective = new Objective<double>(network, new MeanSquaredError<double>(), data, chunkSize: 5);
        var theta = Fixtures.Parameters(network);
        objective.Linearize(theta, default);
        objective.HessianVectorProduct(Fixtures.RandomVector(theta.Length, 3), new double[theta.Length]);
        long forward = 2 * (6 + 5 + 3), r = 2 * (6 + 5 + 3);
        Assert.Equal((2 * 5 * forward + 5 * r) * sizeof(double), objective.HeldBytes);
    }

    /// <summary>
    /// Products need only the forward pass and the layers' output gradients: a linearization that skips ∂L/∂θ
    /// gives the same loss, H·v and G·v, and <see cref="Objective{T}.CompleteGradient"/> adds a gradient that
    /// agrees with central differences of the loss. Cached, chunked and uncached, MLP and conv nets (BatchNorm).
    /// </summary>
    [Theory]
    [InlineData("mlp:12-6-5-3:tanh", 3, 2, "mse", 4096, 1L << 31)]
    [InlineData("mlp:12-6-5-3:gelu", 3, 2, "ce", 3, 1L << 31)]
    [InlineData("mlp:12-6-5-3:silu", 3, 2, "mse", 4, 0L)]
    [InlineData("cnn:channels=2-2-3:hidden=3:tanh", 3, 14, "ce", 4, 1L << 31)]
    [InlineData("resnet_bn:blocks=1-1-1:width=2", 1, 8, "mse", 10, 0L)]
    public void Linearizing_without_the_gradient_gives_the_same_products_and_completes_the_gradient_later(
        string spec, int channels, int size, string loss, int chunk, long cacheBudget)
    {
        int[] shape = [channels, size, size];
        var network = ModelSpec.Parse(spec).Build<double>(shape, 3);
        var data = ConvFixtures.Images(loss, shape, 10, 3, seed: 5);
        var theta = Fixtures.Parameters(network).Select(t => 0.5 * t).ToArray();
        var v = Fixtures.RandomVector(theta.Length, 23);
        Objective<double> Create() => new(network, Loss<double>.FromName(loss), data, chunk, cacheBudget);

        var full = Create();
        var g = new double[theta.Length];
        var fullLoss = full.Linearize(theta, g);
        var hv = new double[theta.Length];
        full.HessianVectorProduct(v, hv);
        var gv = new double[theta.Length];
        full.GaussNewtonVectorProduct(v, gv);

        var productsOnly = Create();
        Assert.Equal(fullLoss, productsOnly.Linearize(theta, default), 1e-14);
        var hv2 = new double[theta.Length];
        productsOnly.HessianVectorProduct(v, hv2);
        var gv2 = new double[theta.Length];
        productsOnly.GaussNewtonVectorProduct(v, gv2);
        Assert.True(Fixtures.RelativeError(hv2, hv) < 1e-13);
        Assert.True(Fixtures.RelativeError(gv2, gv) < 1e-13);
        var completed = new double[theta.Length];
        productsOnly.CompleteGradient(completed);
        Assert.True(Fixtures.RelativeError(completed, g) < 1e-13);
        // products after the completion still see the linearization point
        productsOnly.HessianVectorProduct(v, hv2);
        Assert.True(Fixtures.RelativeError(hv2, hv) < 1e-13);
        if (!spec.Contains("relu") && !spec.StartsWith("resnet"))
            Assert.True(Fixtures.RelativeError(completed, Fixtures.FiniteDifferenceGradient(Create(), theta)) < 1e-6);
    }

    [Fact]
    public void Completing_the_gradient_needs_a_linearization() =>
        Assert.Throws<InvalidOperationException>(() =>
        {
            var network = Fixtures.Mlp("tanh");
            new Objective<double>(network, Loss<double>.FromName("mse"), Fixtures.Data("mse")).CompleteGradient(new double[network.ParameterCount]);
        });

    [Theory]
    [InlineData("relu", "mse", 0)]
    [InlineData("tanh", "ce", 0)]
    [InlineData("gelu", "mse", 3)]
    [InlineData("silu", "ce", 4)]
    public void Quadratic_form_equals_the_dot_product_with_the_hessian_vector_product(string activation, string loss, int chunk)
    {
        // on images, so that a Flatten precedes the first Linear as in the EoSS presets
        var spec = ModelSpec.Parse($"mlp:12-6-5-3:{activation}");
        var network = spec.Build<double>([3, 2, 2], 3);
        var flat = Fixtures.Data(loss, count: 10, inputs: 12);
        var data = new Samples<double>(flat.Inputs, [3, 2, 2], flat.Targets, 3, flat.Labels);
        var objective = new Objective<double>(network, Loss<double>.FromName(loss), data, chunkSize: chunk == 0 ? 4096 : chunk);
        var theta = Fixtures.Parameters(network);
        var v = Fixtures.RandomVector(theta.Length, 31);
        objective.Linearize(theta, new double[theta.Length]);
        var hv = new double[theta.Length];
        objective.HessianVectorProduct(v, hv);
        var expected = v.Zip(hv, (a, b) => a * b).Sum();
        Assert.Equal(expected, objective.QuadraticForm(v), 1e-12 * Math.Abs(expected) + 1e-14);
        // against finite differences of the loss along v: (L(θ+hv) − 2L(θ) + L(θ−hv)) / h²
        const double h = 1e-4;
        var plus = theta.Zip(v, (t, d) => t + h * d).ToArray();
        var minus = theta.Zip(v, (t, d) => t - h * d).ToArray();
        var fd = (objective.Evaluate(plus) - 2 * objective.Evaluate(theta) + objective.Evaluate(minus)) / (h * h);
        if (activation != "relu") Assert.Equal(expected, fd, 1e-5 * Math.Abs(expected) + 1e-7);
    }

    [Theory]
    [InlineData("relu", "mse", 8)]
    [InlineData("tanh", "ce", 5)]
    [InlineData("gelu", "mse", 1)]
    [InlineData("silu", "ce", 13)]
    [InlineData("identity", "mse", 8)]
    public void Curvature_along_the_gradient_from_gram_matrices_equals_the_explicit_quadratic_form(string activation, string loss, int batch)
    {
        var spec = ModelSpec.Parse($"mlp:12-7-6-3:{activation}");
        var network = spec.Build<double>([3, 2, 2], 3);
        var flat = Fixtures.Data(loss, count: batch, inputs: 12);
        var data = new Samples<double>(flat.Inputs, [3, 2, 2], flat.Targets, 3, flat.Labels);
        var objective = new Objective<double>(network, Loss<double>.FromName(loss), data);
        var theta = Fixtures.Parameters(network);
        var (value, norm, curvature) = objective.CurvatureAlongGradient(theta);

        var g = new double[theta.Length];
        Assert.Equal(objective.Linearize(theta, g), value, 1e-14);
        var hg = new double[theta.Length];
        objective.HessianVectorProduct(g, hg);
        var expectedCurvature = g.Zip(hg, (a, b) => a * b).Sum();
        Assert.Equal(g.Sum(x => x * x), norm, 1e-12 * norm);
        Assert.Equal(expectedCurvature, curvature, 1e-11 * Math.Abs(expectedCurvature) + 1e-15);
    }

    [Fact]
    public void Curvature_along_the_gradient_in_float32_agrees_with_float64()
    {
        var spec = ModelSpec.Parse("mlp:12-16-3:tanh");
        var data64 = Fixtures.Data("mse", count: 8, inputs: 12);
        var data32 = new Samples<float>(data64.Inputs.Select(x => (float)x).ToArray(), [12], data64.Targets!.Select(x => (float)x).ToArray(), 3, null);
        var net64 = spec.Build<double>([12], 3);
        var theta = Fixtures.Parameters(net64);
        var r64 = new Objective<double>(net64, new MeanSquaredError<double>(), data64).CurvatureAlongGradient(theta);
        var r32 = new Objective<float>(spec.Build<float>([12], 3), new MeanSquaredError<float>(), data32).CurvatureAlongGradient(theta.Select(x => (float)x).ToArray());
        Assert.Equal(r64.Curvature / r64.GradientNormSquared, r32.Curvature / r32.GradientNormSquared, 1e-4 * r64.Curvature / r64.GradientNormSquared);
    }

    [Fact]
    public void Mse_is_summed_over_outputs_and_averaged_over_samples_without_a_half()
    {
        var network = Fixtures.Mlp("tanh");
        var data = Fixtures.Data("mse");
        var theta = Fixtures.Parameters(network);
        var tape = network.CreateTape(data.Count);
        network.Forward(tape, theta, data.Inputs, data.Count);
        double expected = 0;
        for (int i = 0; i < data.Count * data.Outputs; i++) expected += Math.Pow(tape.Output[i] - data.Targets![i], 2);
        expected /= data.Count;
        Assert.Equal(expected, new Objective<double>(network, new MeanSquaredError<double>(), data).Evaluate(theta), 1e-14);
    }

    [Fact]
    public void Cross_entropy_is_the_mean_negative_log_softmax_of_the_label()
    {
        var network = Fixtures.Mlp("silu");
        var data = Fixtures.Data("ce");
        var theta = Fixtures.Parameters(network);
        var tape = network.CreateTape(data.Count);
        network.Forward(tape, theta, data.Inputs, data.Count);
        double expected = 0;
        for (int i = 0; i < data.Count; i++)
        {
            var row = tape.Output.Slice(i * data.Outputs, data.Outputs).ToArray();
            expected += -Math.Log(Math.Exp(row[data.Labels![i]]) / row.Sum(Math.Exp));
        }
        expected /= data.Count;
        Assert.Equal(expected, new Objective<double>(network, new CrossEntropy<double>(), data).Evaluate(theta), 1e-13);
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void Per_example_gradients_match_single_sample_gradients_and_average_to_the_gradient(string loss)
    {
        var network = Fixtures.Mlp("gelu");
        var data = Fixtures.Data(loss);
        var theta = Fixtures.Parameters(network);
        var objective = new Objective<double>(network, Loss<double>.FromName(loss), data);
        int p = theta.Length;
        var rows = new double[data.Count * p];
        objective.PerExampleGradients(theta, 0, data.Count, rows);
        var mean = new double[p];
        for (int i = 0; i < data.Count; i++)
        {
            var single = new Objective<double>(network, Loss<double>.FromName(loss), data.Gather([i]));
            var numeric = Fixtures.FiniteDifferenceGradient(single, theta);
            Assert.True(Fixtures.RelativeError(rows.AsSpan(i * p, p), numeric) < 1e-6);
            for (int j = 0; j < p; j++) mean[j] += rows[i * p + j] / data.Count;
        }
        Assert.True(Fixtures.RelativeError(mean, Fixtures.Gradient(objective, theta)) < 1e-13);
    }

    [Theory]
    [InlineData("mse", 4096)]
    [InlineData("ce", 3)]
    public void Sample_weighted_gradient_is_the_weighted_sum_of_single_sample_gradients(string loss, int chunk)
    {
        var network = Fixtures.Mlp("tanh");
        var data = Fixtures.Data(loss, count: 10);
        var theta = Fixtures.Parameters(network);
        var weights = Fixtures.RandomVector(data.Count, 5);
        var objective = new Objective<double>(network, Loss<double>.FromName(loss), data, chunkSize: chunk);
        objective.Linearize(theta, new double[theta.Length]);
        var weighted = new double[theta.Length];
        objective.SampleWeightedGradient(weights, weighted);
        var expected = new double[theta.Length];
        for (int i = 0; i < data.Count; i++)
        {
            var single = Fixtures.FiniteDifferenceGradient(new Objective<double>(network, Loss<double>.FromName(loss), data.Gather([i])), theta);
            for (int j = 0; j < theta.Length; j++) expected[j] += weights[i] * single[j];
        }
        Assert.True(Fixtures.RelativeError(weighted, expected) < 1e-6);
        // w = 1/N is the gradient itself
        objective.SampleWeightedGradient(Enumerable.Repeat(1.0 / data.Count, data.Count).ToArray(), weighted);
        Assert.True(Fixtures.RelativeError(weighted, Fixtures.Gradient(objective, theta)) < 1e-13);
    }

    [Fact]
    public void Accuracy_counts_arg_max_hits_for_labels_and_one_hot_targets_and_signs_for_one_output()
    {
        double[] z = [0.1, 0.7, 0.2, /**/ 0.5, -1, 0.4, /**/ 0.3, 0.3, 0.1];
        var labelled = new Samples<double>(new double[3], [1], null, 3, [1, 2, 0]);
        Assert.Equal(2, labelled.CountCorrect(z, 0, 3));   // the tie of the third goes to the first maximum, class 0
        var oneHot = new Samples<double>(new double[3], [1], [0, 1, 0, /**/ 0, 0, 1, /**/ 0, 1, 0], 3, null);
        Assert.Equal(1, oneHot.CountCorrect(z, 0, 3));
        Assert.Equal(2, oneHot.CountCorrect([0, 0, 1, /**/ 0, 1, 0], 1, 2));   // samples 1 and 2: the offset reaches their targets
        var signs = new Samples<double>(new double[4], [1], [1, -1, 1, -1], 1, null);
        Assert.Equal(2, signs.CountCorrect([0.3, -2, 0, double.NaN], 0, 4));   // 0 and NaN are never right
        var data = Fixtures.Data("ce", count: 10);
        var network = Fixtures.Mlp("tanh");
        var theta = Fixtures.Parameters(network);
        var objective = new Objective<double>(network, new CrossEntropy<double>(), data, chunkSize: 4);
        var tape = network.CreateTape(data.Count);
        network.Forward(tape, theta, data.InputRows(0, data.Count), data.Count);
        var loss = objective.Evaluate(theta, out var accuracy);
        Assert.Equal(objective.Evaluate(theta), loss);
        Assert.Equal(data.CountCorrect(tape.Output, 0, data.Count) / 10.0, accuracy);
    }

    [Fact]
    public void Float32_engine_agrees_with_float64()
    {
        var spec = ModelSpec.Parse("mlp:5-16-16-3:tanh");
        var net64 = spec.Build<double>([5], 3);
        var net32 = spec.Build<float>([5], 3);
        var data64 = Fixtures.Data("mse", count: 32);
        var data32 = new Samples<float>(data64.Inputs.Select(x => (float)x).ToArray(), [5], data64.Targets!.Select(x => (float)x).ToArray(), 3, null);
        var theta64 = Fixtures.Parameters(net64);
        var theta32 = theta64.Select(x => (float)x).ToArray();
        var v64 = Fixtures.RandomVector(theta64.Length, 2);
        var v32 = v64.Select(x => (float)x).ToArray();
        var o64 = new Objective<double>(net64, new MeanSquaredError<double>(), data64);
        var o32 = new Objective<float>(net32, new MeanSquaredError<float>(), data32);
        var g64 = new double[theta64.Length];
        var g32 = new float[theta64.Length];
        Assert.Equal(o64.Linearize(theta64, g64), o32.Linearize(theta32, g32), 1e-5);
        var hv64 = new double[theta64.Length];
        var hv32 = new float[theta64.Length];
        o64.HessianVectorProduct(v64, hv64);
        o32.HessianVectorProduct(v32, hv32);
        Assert.True(Fixtures.RelativeError(g32.Select(x => (double)x).ToArray(), g64) < 1e-5);
        Assert.True(Fixtures.RelativeError(hv32.Select(x => (double)x).ToArray(), hv64) < 1e-5);
    }

    [Fact]
    public void Mismatched_data_is_rejected_with_the_sizes()
    {
        var network = Fixtures.Mlp("relu");
        var wrong = Fixtures.Data("mse", inputs: 6);
        var e = Assert.Throws<ArgumentException>(() => new Objective<double>(network, new MeanSquaredError<double>(), wrong));
        Assert.Contains("6", e.Message);
        Assert.Contains("5", e.Message);
        var labelsOnly = Fixtures.Data("ce");
        e = Assert.Throws<ArgumentException>(() => new Objective<double>(network, new MeanSquaredError<double>(), labelsOnly));
        Assert.Contains("mse needs target values", e.Message);
    }
}
