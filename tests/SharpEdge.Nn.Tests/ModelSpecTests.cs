using SharpEdge.Nn;

namespace SharpEdge.Nn.Tests;

public class ModelSpecTests
{
    // eoss_spec §3.1: parameter counts for CIFAR-10 (3072 inputs) and Fashion-MNIST (784 inputs), 10 classes
    [Theory]
    [InlineData("mlp", 1_841_162, 669_706)]
    [InlineData("mlp2", 855_050, 269_322)]
    [InlineData("mlp3", 920_842, 335_114)]
    [InlineData("mlp_s", 789_258, 203_530)]
    [InlineData("mlp_l", 2_366_474, 1_195_018)]
    [InlineData("mlp_silu", 1_841_162, 669_706)]
    [InlineData("mlp_tanh", 1_841_162, 669_706)]
    [InlineData("linear_s", 789_258, 203_530)]
    public void Preset_parameter_counts_equal_the_original(string preset, int cifar, int fashion)
    {
        Assert.Equal(cifar, ModelSpec.Parse(preset).Build<float>([3, 32, 32], 10).ParameterCount);
        Assert.Equal(fashion, ModelSpec.Parse(preset).Build<float>([1, 28, 28], 10).ParameterCount);
    }

    [Fact]
    public void Parameter_names_and_shapes_follow_pytorch_registration_order()
    {
        var network = ModelSpec.Parse("mlp").Build<double>([784], 10);
        var tensors = network.Layout.Tensors.Select(t => (t.Name, string.Join("x", t.Shape))).ToArray();
        Assert.Equal(new[]
        {
            ("layers.0.weight", "512x784"), ("layers.0.bias", "512"),
            ("layers.1.weight", "512x512"), ("layers.1.bias", "512"),
            ("layers.2.weight", "10x512"), ("layers.2.bias", "10"),
        }, tensors);
        Assert.Equal(0, network.Layout["layers.0.weight"].Offset);
        Assert.Equal(512 * 784, network.Layout["layers.0.bias"].Offset);
    }

    [Theory]
    [InlineData("mlp:784-x-10", "'x' is not a positive layer size")]
    [InlineData("resnet9000", "unknown model 'resnet9000'")]
    [InlineData("mlp:784-10:swish", "unknown option 'swish'")]
    [InlineData("mlp:10", "need at least input and output sizes")]
    public void Bad_specs_are_rejected_with_a_clear_message(string spec, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.Parse(spec));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_spec_whose_input_size_disagrees_with_the_data_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.Parse("mlp:784-10").Build<float>([3, 32, 32], 10));
        Assert.Contains("3x32x32", e.Message);
    }

    [Theory]
    [InlineData("mlp", 0.2)]          // kaiming normal, fan_in, gain √2
    [InlineData("mlp_tanh", 1.0)]     // xavier normal, gain 5/3
    public void Initialisation_has_the_documented_scale(string preset, double scale)
    {
        var spec = ModelSpec.Parse(preset);
        var network = spec.Build<double>([784], 10);
        var theta = new double[network.ParameterCount];
        spec.Initialize(network, theta, scale, 42);
        var w = network.Layout["layers.1.weight"];
        var values = theta.AsSpan(w.Offset, w.Count).ToArray();
        var std = Math.Sqrt(values.Select(x => x * x).Average());
        var expected = preset == "mlp_tanh" ? 5.0 / 3.0 * Math.Sqrt(2.0 / (512 + 512)) * scale : Math.Sqrt(2.0 / 512) * scale;
        Assert.InRange(std / expected, 0.99, 1.01);   // 262,144 draws: the standard error of the ratio is ~0.14 %
        Assert.InRange(Math.Abs(values.Average()) / expected, 0, 0.01);
        var b = network.Layout["layers.1.bias"];
        Assert.All(theta.AsSpan(b.Offset, b.Count).ToArray(), x => Assert.Equal(0.0, x));
    }
}
