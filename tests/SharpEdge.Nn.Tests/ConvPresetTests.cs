namespace SharpEdge.Nn.Tests;

/// <summary>
/// The EoSS conv presets (eoss_spec §3.1-§3.4): parameter counts, PyTorch names and order, initialisation, and
/// small instances of each family (same structure, a few channels) against finite differences and dense Hessians.
/// </summary>
public class ConvPresetTests
{
    // eoss_spec §3.1 (CIFAR-10, verified there). With one 28×28 channel: cnn's first conv has 1·64·9 + 64 weights and
    // its first Linear 128·5·5 inputs; the ResNets' and WRNs' stems lose 2·16·9 = 288 weights.
    [Theory]
    [InlineData("cnn", 2_477_514, 1_755_466)]
    [InlineData("cnn_silu", 2_477_514, 1_755_466)]
    [InlineData("resnet", 268_346, 268_058)]
    [InlineData("resnet_bn", 172_506, 172_218)]
    [InlineData("wrn", 303_706, 303_418)]
    [InlineData("wrn_no_bn", 303_914, 303_626)]
    public void Preset_parameter_counts_equal_the_original(string preset, int cifar, int fashion)
    {
        Assert.Equal(cifar, ModelSpec.Parse(preset).Build<float>([3, 32, 32], 10).ParameterCount);
        Assert.Equal(fashion, ModelSpec.Parse(preset).Build<float>([1, 28, 28], 10).ParameterCount);
    }

    [Fact]
    public void Cnn_names_follow_the_sequential_indices_of_the_original()
    {
        var network = ModelSpec.Parse("cnn").Build<float>([3, 32, 32], 10);
        Assert.Equal(new[]
        {
            ("convs.0.weight", "64x3x3x3"), ("convs.0.bias", "64"), ("convs.2.weight", "64x64x3x3"), ("convs.2.bias", "64"),
            ("convs.5.weight", "128x64x3x3"), ("convs.5.bias", "128"), ("fcs.0.weight", "512x4608"), ("fcs.0.bias", "512"),
            ("fcs.2.weight", "10x512"), ("fcs.2.bias", "10"),
        }, network.Layout.Tensors.Select(t => (t.Name, string.Join("x", t.Shape))));
        Assert.Equal(new[] { 512, 3200 }, ModelSpec.Parse("cnn").Build<float>([1, 28, 28], 10).Layout["fcs.0.weight"].Shape);
    }

    [Fact]
    public void Resnet_names_follow_pytorch_registration_order()
    {
        var names = ModelSpec.Parse("resnet").Build<float>([3, 32, 32], 10).Layout.Tensors.Select(t => t.Name).ToList();
        Assert.Equal(9 * 2 + 1 + 2, names.Count);
        Assert.Equal(["conv1.weight", "layer1.0.conv1.weight", "layer1.0.conv2.weight", "layer1.1.conv1.weight"], names.Take(4));
        Assert.Equal(["layer3.2.conv2.weight", "linear.weight", "linear.bias"], names.TakeLast(3));

        var bn = ModelSpec.Parse("resnet_bn").Build<float>([3, 32, 32], 10);
        Assert.Equal(["conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias",
            "layer1.0.conv2.weight", "layer1.0.bn2.weight", "layer1.0.bn2.bias"], bn.Layout.Tensors.Take(9).Select(t => t.Name));
        Assert.Equal(["bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.bn1.running_mean"],
            bn.BufferLayout.Tensors.Take(4).Select(t => t.Name));
        Assert.Equal(13 * 3, bn.BufferLayout.Tensors.Count);   // 13 BatchNorm2d layers in ResNet-14
        Assert.Empty(bn.BufferLayout["bn1.num_batches_tracked"].Shape);
    }

    [Fact]
    public void Wide_resnet_names_follow_pytorch_registration_order()
    {
        var wrn = ModelSpec.Parse("wrn").Build<float>([3, 32, 32], 10);
        Assert.Equal(["stem.weight", "group1.0.bn1.weight", "group1.0.bn1.bias", "group1.0.conv1.weight", "group1.0.bn2.weight", "group1.0.bn2.bias",
            "group1.0.conv2.weight", "group1.0.shortcut.weight", "group2.0.bn1.weight"], wrn.Layout.Tensors.Take(9).Select(t => t.Name));
        Assert.Equal(["group3.0.shortcut.weight", "bn.weight", "bn.bias", "fc.weight", "fc.bias"], wrn.Layout.Tensors.TakeLast(5).Select(t => t.Name));
        Assert.Equal(new[] { 32, 16, 1, 1 }, wrn.Layout["group1.0.shortcut.weight"].Shape);

        var fixup = ModelSpec.Parse("wrn_no_bn").Build<float>([3, 32, 32], 10);
        Assert.Equal(["bias", "stem.weight", "group1.0.bias1a", "group1.0.bias1b", "group1.0.bias2a", "group1.0.bias2b", "group1.0.scale",
            "group1.0.conv1.weight", "group1.0.conv2.weight", "group1.0.shortcut.weight"], fixup.Layout.Tensors.Take(10).Select(t => t.Name));
        Assert.Equal(new[] { 1, 128, 1, 1 }, fixup.Layout["bias"].Shape);
        Assert.Equal(new[] { 1, 16, 1, 1 }, fixup.Layout["group1.0.bias1a"].Shape);
        Assert.Empty(fixup.BufferLayout.Tensors);
    }

    [Theory]
    [InlineData("cnn:channels=2-3-2:hidden=4:tanh", 1, 14, "mse", 1e-5)]
    [InlineData("cnn:channels=2-2-3:hidden=3", 3, 14, "ce", 1e-7)]
    [InlineData("resnet:blocks=1-1-1:width=2", 1, 8, "mse", 1e-7)]
    [InlineData("resnet:blocks=2-1-1:width=2", 3, 6, "ce", 1e-7)]
    [InlineData("resnet_bn:blocks=1-1-1:width=2", 1, 8, "mse", 1e-7)]
    [InlineData("resnet_bn:blocks=1-1-1:width=2", 3, 6, "ce", 1e-7)]
    [InlineData("wrn:depth=10:k=1:width=2", 1, 8, "ce", 1e-7)]
    [InlineData("wrn_no_bn:depth=10:k=1:width=2", 3, 6, "mse", 1e-7)]
    public void Small_instances_of_each_family_pass_the_derivative_checks(string spec, int channels, int size, string loss, double step)
    {
        var network = ModelSpec.Parse(spec).Build<double>([channels, size, size], 3);
        var data = ConvFixtures.Images(loss, [channels, size, size], 5, 3, seed: 17);
        // dense Hessians only where they are small; ReLU kinks make central differences need small steps
        ConvFixtures.CheckDerivatives(network, data, loss, step: step, denseHessian: network.ParameterCount <= 700, parameterScale: 0.5);
    }

    [Theory]
    [InlineData("cnn", 0.3)]
    [InlineData("resnet", 0.2)]
    [InlineData("resnet_bn", 1.0)]
    [InlineData("wrn", 0.5)]
    [InlineData("wrn_no_bn", 0.5)]
    public void Initialisation_follows_the_original_rules(string preset, double scale)
    {
        var spec = ModelSpec.Parse(preset);
        var network = spec.Build<double>([3, 32, 32], 10);
        var theta = new double[network.ParameterCount];
        spec.Initialize(network, theta, scale, 42);
        // the root mean square of a tensor's n draws against the rule's std, within 4 standard errors (≈ 1/√(2n))
        void Near(double expected, string name)
        {
            var t = network.Layout[name];
            var rms = Math.Sqrt(theta.AsSpan(t.Offset, t.Count).ToArray().Select(x => x * x).Average());
            Assert.InRange(rms / expected, 1 - 4 / Math.Sqrt(2.0 * t.Count), 1 + 4 / Math.Sqrt(2.0 * t.Count));
        }
        bool All(string name, double value) => theta.AsSpan(network.Layout[name].Offset, network.Layout[name].Count).ToArray().All(x => x == value);
        switch (preset)
        {
            case "cnn":   // kaiming_normal_(fan_in, relu)·scale
                Near(scale * Math.Sqrt(2.0 / (64 * 9)), "convs.2.weight");
                Near(scale * Math.Sqrt(2.0 / 4608), "fcs.0.weight");
                Assert.True(All("convs.2.bias", 0));
                break;
            case "resnet":   // kaiming_normal_(fan_out, relu)·scale, also on the Linear (fan_out = 10)
                Near(scale * Math.Sqrt(2.0 / (32 * 9)), "layer2.1.conv1.weight");
                Near(scale * Math.Sqrt(2.0 / 10), "linear.weight");
                Assert.True(All("linear.bias", 0));
                break;
            case "resnet_bn":   // conv fan_out relu, BN (1, 0), Linear fan_out linear
                Near(scale * Math.Sqrt(2.0 / (64 * 9)), "layer3.1.conv2.weight");
                Near(scale * Math.Sqrt(1.0 / 10), "linear.weight");
                Assert.True(All("layer2.0.bn2.weight", 1) && All("layer2.0.bn2.bias", 0) && All("bn1.weight", 1));
                break;
            case "wrn":   // conv fan_out relu; BN (1, 0) with every bn2.weight 0; fc kaiming_uniform_: std √(2/fan_in)
                Near(scale * Math.Sqrt(2.0 / (64 * 9)), "group2.0.conv2.weight");
                Near(scale * Math.Sqrt(2.0 / 64), "group2.0.shortcut.weight");
                Near(scale * Math.Sqrt(2.0 / 128), "fc.weight");
                Assert.True(All("group1.0.bn2.weight", 0) && All("group1.0.bn1.weight", 1) && All("bn.weight", 1) && All("bn.bias", 0));
                break;
            default:   // Fixup ignores the scale: fan_in kaiming, conv1 / √3, conv2 and fc zero, biases 0, scales 1
                Near(Math.Sqrt(2.0 / 27), "stem.weight");
                Near(Math.Sqrt(2.0 / (32 * 9)) / Math.Sqrt(3), "group2.0.conv1.weight");
                Near(Math.Sqrt(2.0 / 32), "group2.0.shortcut.weight");
                Assert.True(All("group2.0.conv2.weight", 0) && All("fc.weight", 0) && All("fc.bias", 0));
                Assert.True(All("bias", 0) && All("group3.0.bias2b", 0) && All("group3.0.scale", 1));
                break;
        }
    }

    [Theory]
    [InlineData("resnet:blocks=1-1", "blocks takes 3 values")]
    [InlineData("resnet:width=3", "width must be even")]
    [InlineData("wrn:depth=12", "6n+4")]
    [InlineData("cnn:depth=3", "unknown option 'depth=3'")]
    public void Bad_conv_specs_are_rejected_with_a_clear_message(string spec, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.Parse(spec).Build<float>([3, 32, 32], 10));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Conv_presets_need_image_shaped_inputs()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.Parse("resnet").Build<float>([784], 10));
        Assert.Contains("images [channels, height, width]", e.Message);
    }
}
