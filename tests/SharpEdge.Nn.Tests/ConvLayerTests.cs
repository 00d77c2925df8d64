using SharpEdge.Nn.Layers;

namespace SharpEdge.Nn.Tests;

/// <summary>
/// Each convolutional layer inside a small float64 network (smooth activations, so central differences are
/// accurate): gradient and H·v against finite differences, H·v against the dense Hessian, which must be symmetric.
/// A layer that is not the network's first one also exercises its input gradient and R{x} paths.
/// </summary>
public class ConvLayerTests
{
    private static Conv2d<double> Stem(int[] input, int channels) => new(input, channels, 3, 1, 1);

    [Theory]
    [InlineData(3, 1, 0, true)]
    [InlineData(3, 2, 1, false)]
    [InlineData(1, 1, 0, true)]    // 1×1, stride 1: multiplies the input directly, no im2col
    [InlineData(1, 2, 0, false)]   // the WRN shortcut
    [InlineData(2, 2, 1, true)]    // even kernel, padding on one side of the last window
    [InlineData(3, 3, 2, true)]    // stride larger than the padding: windows skip rows
    public void Conv2d_passes_the_derivative_checks(int kernel, int stride, int padding, bool bias)
    {
        int[] input = [2, 6, 5];
        var first = Stem(input, 3);
        var conv = new Conv2d<double>(first.OutputShape, 2, kernel, stride, padding, bias);
        var network = ConvFixtures.Chain(("c0", first), (null, new Tanh<double>(first.OutputShape)), ("c1", conv),
            (null, new Tanh<double>(conv.OutputShape)), (null, new Flatten<double>(conv.OutputShape)), ("fc", new Linear<double>(conv.OutputSize, 3)));
        ConvFixtures.CheckDerivatives(network, ConvFixtures.Images("mse", input, 4, 3), "mse");
    }

    [Fact]
    public void Conv2d_output_equals_a_direct_sum_over_the_window()
    {
        var conv = new Conv2d<double>([2, 5, 4], 3, 3, 2, 1);
        var network = ConvFixtures.Chain(("c", conv));
        var theta = Fixtures.RandomVector(network.ParameterCount, 4);
        var data = ConvFixtures.Images("mse", [2, 5, 4], 2, 1);
        var tape = network.CreateTape(2);
        network.Forward(tape, theta, data.Inputs, 2);
        var y = tape.Output.ToArray();
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 3; o++)
                for (int i = 0; i < conv.OutHeight; i++)
                    for (int j = 0; j < conv.OutWidth; j++)
                    {
                        double sum = theta[3 * 2 * 9 + o];
                        for (int c = 0; c < 2; c++)
                            for (int a = 0; a < 3; a++)
                                for (int b = 0; b < 3; b++)
                                {
                                    int ih = i * 2 + a - 1, iw = j * 2 + b - 1;
                                    if (ih < 0 || ih >= 5 || iw < 0 || iw >= 4) continue;
                                    sum += theta[((o * 2 + c) * 3 + a) * 3 + b] * data.Inputs[((n * 2 + c) * 5 + ih) * 4 + iw];
                                }
                        Assert.Equal(sum, y[((n * 3 + o) * conv.OutHeight + i) * conv.OutWidth + j], 12);
                    }
    }

    [Theory]
    [InlineData("max", 2, 2)]
    [InlineData("max", 3, 2)]   // overlapping windows: an input can be the argmax of two outputs
    [InlineData("avg", 2, 2)]
    [InlineData("avg", 3, 1)]
    [InlineData("global", 0, 0)]
    public void Pooling_passes_the_derivative_checks(string kind, int kernel, int stride)
    {
        int[] input = [1, 7, 6];
        var first = Stem(input, 2);
        var act = new Tanh<double>(first.OutputShape);
        Layer<double> pool = kind switch
        {
            "max" => new MaxPool2d<double>(first.OutputShape, kernel, stride),
            "avg" => new AvgPool2d<double>(first.OutputShape, kernel, stride),
            _ => new GlobalAvgPool2d<double>(first.OutputShape),
        };
        var layers = new List<(string?, Layer<double>)> { ("c0", first), (null, act), (null, pool) };
        if (pool.OutputShape.Length > 1) layers.Add((null, new Flatten<double>(pool.OutputShape)));
        layers.Add(("fc", new Linear<double>(pool.OutputSize, 3)));
        ConvFixtures.CheckDerivatives(ConvFixtures.Chain([.. layers]), ConvFixtures.Images("ce", input, 3, 3), "ce");
    }

    [Fact]
    public void MaxPool2d_picks_the_first_maximum_on_ties_as_pytorch_does()
    {
        var pool = new MaxPool2d<double>([1, 2, 2], 2);
        var network = ConvFixtures.Chain((null, pool));
        var tape = network.CreateTape(1);
        network.Forward(tape, [], new double[] { 1, 3, 3, 2 }, 1);
        Assert.Equal(3.0, tape.Output[0]);
        network.Backward(tape, [], new double[] { 1 }, default);
        // the gradient goes to the first 3 only (the network skips dx of a first layer, so read the state directly)
        Assert.Equal(1.0, tape.States[0][0]);
    }

    [Fact]
    public void Option_a_shortcut_selects_every_second_pixel_and_pads_channels()
    {
        var shortcut = new OptionAShortcut<double>([2, 3, 4], 2, 1);
        Assert.Equal(new[] { 4, 2, 2 }, shortcut.OutputShape);
        var network = ConvFixtures.Chain((null, shortcut));
        var x = Enumerable.Range(0, 24).Select(i => (double)i).ToArray();
        var tape = network.CreateTape(1);
        network.Forward(tape, [], x, 1);
        Assert.Equal(new double[] { 0, 0, 0, 0, 0, 2, 8, 10, 12, 14, 20, 22, 0, 0, 0, 0 }, tape.Output.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Residual_blocks_pass_the_derivative_checks(bool convolutionShortcut)
    {
        int[] input = [2, 6, 6];
        var first = Stem(input, 2);
        var conv1 = new Conv2d<double>(first.OutputShape, 4, 3, 2, 1, bias: false);
        var conv2 = new Conv2d<double>(conv1.OutputShape, 4, 3, 1, 1, bias: false);
        (string?, Layer<double>)[] shortcut = convolutionShortcut
            ? [("shortcut", new Conv2d<double>(first.OutputShape, 4, 1, 2, 0, bias: false))]
            : [(null, new OptionAShortcut<double>(first.OutputShape, 2, 1))];
        var block = new Residual<double>(first.OutputShape,
            [("conv1", conv1), (null, new Tanh<double>(conv1.OutputShape)), ("conv2", conv2)], shortcut);
        // an identity-shortcut block after it
        var c3 = new Conv2d<double>(block.OutputShape, 4, 3, 1, 1);
        var identity = new Residual<double>(block.OutputShape, [("conv", c3), (null, new Tanh<double>(c3.OutputShape))], []);
        var network = ConvFixtures.Chain(("c0", first), (null, new Tanh<double>(first.OutputShape)), ("block", block),
            (null, new Tanh<double>(block.OutputShape)), ("identity", identity), (null, new GlobalAvgPool2d<double>(identity.OutputShape)),
            ("fc", new Linear<double>(4, 2)));
        Assert.Equal(convolutionShortcut ? "block.shortcut.weight" : "identity.conv.weight",
            network.Layout.Tensors[4].Name);
        ConvFixtures.CheckDerivatives(network, ConvFixtures.Images("mse", input, 3, 2), "mse");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fixup_bias_and_scale_pass_the_derivative_checks(bool first)
    {
        int[] input = [2, 4, 4];
        var conv = Stem(input, 3);
        var layers = new List<(string?, Layer<double>)>();
        if (first) layers.Add(("b0", new ChannelBias<double>(input)));
        layers.AddRange([("c0", conv), ("bias", new ChannelBias<double>(conv.OutputShape)), (null, new Tanh<double>(conv.OutputShape)),
            ("scale", new ChannelScale<double>(conv.OutputShape)), (null, new Flatten<double>(conv.OutputShape)), ("fc", new Linear<double>(conv.OutputSize, 2))]);
        var network = ConvFixtures.Chain([.. layers]);
        Assert.Equal(new[] { 1, 3, 1, 1 }, network.Layout["bias"].Shape);
        ConvFixtures.CheckDerivatives(network, ConvFixtures.Images("mse", input, 3, 2), "mse");
    }

    public static TheoryData<bool, bool, string> BatchNormCases() => new()
    {
        { true, false, "mse" }, { true, false, "ce" }, { true, true, "mse" }, { false, false, "mse" }, { false, true, "ce" },
    };

    /// <summary>Batch statistics (training mode) and running statistics (evaluation mode), for BatchNorm2d and 1d.</summary>
    [Theory]
    [MemberData(nameof(BatchNormCases))]
    public void BatchNorm_passes_the_derivative_checks(bool twoD, bool running, string loss)
    {
        Network<double> network;
        Samples<double> data;
        if (twoD)
        {
            int[] input = [2, 4, 3];
            var conv = Stem(input, 3);
            var bn = new BatchNorm<double>(conv.OutputShape);
            var conv2 = new Conv2d<double>(conv.OutputShape, 2, 3, 1, 1);
            network = ConvFixtures.Chain(("c0", conv), ("bn", bn), (null, new Tanh<double>(conv.OutputShape)), ("c1", conv2),
                ("bn2", new BatchNorm<double>(conv2.OutputShape)), (null, new Flatten<double>(conv2.OutputShape)), ("fc", new Linear<double>(conv2.OutputSize, 3)));
            data = ConvFixtures.Images(loss, input, 4, 3);
        }
        else
        {
            network = ConvFixtures.Chain(("l0", new Linear<double>(5, 4)), ("bn", new BatchNorm<double>([4])), (null, new Tanh<double>([4])),
                ("l1", new Linear<double>(4, 3)), ("bn2", new BatchNorm<double>([3])), ("l2", new Linear<double>(3, 3)));
            data = ConvFixtures.Images(loss, [5], 6, 3);
        }
        Assert.True(network.HasBatchStatistics);
        Assert.Equal(new[] { "bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked" },
            network.BufferLayout.Tensors.Select(t => t.Name));
        if (running)
        {
            network.Normalization = NormalizationMode.RunningStatistics;
            var rng = new Numerics.Rng(9);
            foreach (var t in network.BufferLayout.Tensors.Where(t => t.Shape.Length == 1))
                for (int i = 0; i < t.Count; i++)
                    network.Buffers[t.Offset + i] = t.Name.EndsWith("var") ? 0.5 + rng.NextDouble() : rng.NextNormal();
        }
        Assert.Equal(!running, network.CouplesSamples);
        ConvFixtures.CheckDerivatives(network, data, loss);
    }

    [Fact]
    public void A_training_step_updates_the_running_statistics_as_pytorch_does()
    {
        var bn = new BatchNorm<double>([2, 2, 1]);
        var network = ConvFixtures.Chain(("bn", bn));
        double[] theta = [1, 1, 0, 0];
        double[] x = [1, 2, 10, 20, 3, 5, 30, 50];   // channel 0: 1, 2, 3, 5; channel 1: 10, 20, 30, 50
        var tape = network.CreateTape(2);
        network.Forward(tape, theta, x, 2);
        Assert.Equal(new double[] { 0, 0, 1, 1, 0 }, network.Buffers);   // an evaluation pass leaves them alone
        network.Forward(tape, theta, x, 2, updateRunningStatistics: true);
        Assert.Equal(0.1 * 2.75, network.Buffers[0], 14);
        Assert.Equal(0.1 * 27.5, network.Buffers[1], 14);
        Assert.Equal(0.9 + 0.1 * 2.9166666666666665, network.Buffers[2], 14);   // unbiased variance of 1, 2, 3, 5
        Assert.Equal(0.9 + 0.1 * 291.66666666666669, network.Buffers[3], 12);
        Assert.Equal(1.0, network.Buffers[4]);
        // the batch itself is normalised with the biased variance
        var expected = (1 - 2.75) / Math.Sqrt(2.1875 + 1e-5);
        Assert.Equal(expected, tape.Output[0], 12);
        network.ResetBuffers();
        Assert.Equal(new double[] { 0, 0, 1, 1, 0 }, network.Buffers);
    }

    [Fact]
    public void With_batch_statistics_the_gauss_newton_product_leaves_the_cached_passes_intact()
    {
        // the separate backward pass of G·v runs inside residual blocks and BatchNorm: a later H·v must not see it
        var network = ModelSpec.Parse("resnet_bn:blocks=1-1-1:width=2").Build<double>([1, 6, 6], 3);
        var data = ConvFixtures.Images("ce", [1, 6, 6], 4, 3);
        var objective = new Objective<double>(network, new CrossEntropy<double>(), data);
        var theta = Fixtures.RandomVector(network.ParameterCount, 2, 0.5);
        var v = Fixtures.RandomVector(network.ParameterCount, 3);
        objective.Linearize(theta, new double[theta.Length]);
        var before = new double[theta.Length];
        objective.HessianVectorProduct(v, before);
        objective.GaussNewtonVectorProduct(Fixtures.RandomVector(network.ParameterCount, 4), new double[theta.Length]);
        objective.Vjp(Fixtures.RandomVector(data.Count * 3, 5), new double[theta.Length]);
        var after = new double[theta.Length];
        objective.HessianVectorProduct(v, after);
        Assert.Equal(before, after);
    }
}
