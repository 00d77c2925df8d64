using System.Numerics;
using SharpEdge.Nn.Layers;
using SharpEdge.Numerics;

namespace SharpEdge.Nn;

/// <summary>The kinds of model a spec can name.</summary>
public enum ModelFamily { Mlp, Cnn, ResNet, ResNetBatchNorm, WideResNet, WideResNetFixup }

/// <summary>
/// A model described by a spec string: a custom MLP <c>mlp:784-512-512-10:relu</c> (sizes from input to output,
/// activation after every Linear but the last; options <c>tanh|silu|gelu|identity|relu</c>, <c>nobias</c>), one of
/// the EoSS presets (eoss_spec §3.1) whose input and output sizes come from the data set, or a conv preset with
/// options that resize it: <c>cnn:channels=64-64-128:hidden=512</c>, <c>resnet:blocks=3-3-3:width=16</c>,
/// <c>wrn:depth=10:k=2:width=16</c> (the defaults shown are the presets').
/// </summary>
public sealed class ModelSpec
{
    /// <summary>EoSS MLP presets: hidden width, number of hidden layers, activation (eoss_spec §3.1).</summary>
    private static readonly Dictionary<string, (int Width, int Depth, string Activation)> MlpPresets = new()
    {
        ["mlp"] = (512, 2, "relu"),
        ["mlp2"] = (256, 2, "relu"),
        ["mlp3"] = (256, 3, "relu"),
        ["mlp_s"] = (256, 1, "relu"),
        ["mlp_l"] = (512, 4, "relu"),
        ["mlp_silu"] = (512, 2, "silu"),
        ["mlp_tanh"] = (512, 2, "tanh"),
        ["linear_s"] = (256, 1, "identity"),
    };

    /// <summary>EoSS conv presets (eoss_spec §3.1-§3.3): family and activation of the CNN.</summary>
    private static readonly Dictionary<string, (ModelFamily Family, string Activation)> ConvPresets = new()
    {
        ["cnn"] = (ModelFamily.Cnn, "relu"),
        ["cnn_silu"] = (ModelFamily.Cnn, "silu"),
        ["resnet"] = (ModelFamily.ResNet, "relu"),
        ["resnet_bn"] = (ModelFamily.ResNetBatchNorm, "relu"),
        ["wrn"] = (ModelFamily.WideResNet, "relu"),
        ["wrn_no_bn"] = (ModelFamily.WideResNetFixup, "relu"),
    };

    private static readonly string[] Activations = ["relu", "tanh", "silu", "gelu", "identity"];

    private ModelSpec(string text, int[]? sizes, int[] hidden, string activation, bool bias)
    {
        Text = text;
        Sizes = sizes;
        Hidden = hidden;
        Activation = activation;
        Bias = bias;
    }

    public string Text { get; }
    public ModelFamily Family { get; private init; } = ModelFamily.Mlp;
    /// <summary>Explicit sizes of a custom spec (input … output); null for presets.</summary>
    public int[]? Sizes { get; }
    /// <summary>Hidden widths of an MLP; the fully connected hidden width of the CNN.</summary>
    public int[] Hidden { get; }
    public string Activation { get; }
    public bool Bias { get; }
    /// <summary>CNN conv widths (64, 64, 128).</summary>
    public int[] Channels { get; private init; } = [];
    /// <summary>ResNet blocks per stage: resnet [3, 3, 3] (ResNet-20, HEAD), resnet_bn [2, 2, 2] (ResNet-14).</summary>
    public int[] Blocks { get; private init; } = [];
    /// <summary>Base width: ResNet stage-1 planes and WRN stem channels (16).</summary>
    public int Width { get; private init; }
    /// <summary>WRN depth (10) and widen factor k (2).</summary>
    public int Depth { get; private init; }
    public int Widen { get; private init; }

    /// <summary>Whether the model has BatchNorm layers (and so buffers and a normalisation mode).</summary>
    public bool HasBatchNorm => Family is ModelFamily.ResNetBatchNorm or ModelFamily.WideResNet;

    public static IReadOnlyCollection<string> PresetNames => [.. MlpPresets.Keys, .. ConvPresets.Keys];

    public static ModelSpec Parse(string text)
    {
        var spec = text.Trim();
        if (MlpPresets.TryGetValue(spec, out var preset))
            return new ModelSpec(spec, null, Enumerable.Repeat(preset.Width, preset.Depth).ToArray(), preset.Activation, true);
        var parts = spec.Split(':');
        if (ConvPresets.TryGetValue(parts[0], out var conv)) return ParseConv(text, spec, parts, conv.Family, conv.Activation);
        if (parts[0] != "mlp" || parts.Length < 2)
            throw new ArgumentException($"unknown model '{text}': expected a preset ({string.Join(", ", PresetNames)}) or a spec like mlp:784-512-512-10:relu");
        var sizes = parts[1].Split('-').Select(s => int.TryParse(s, out var n) && n > 0 ? n
            : throw new ArgumentException($"model '{text}': '{s}' is not a positive layer size")).ToArray();
        if (sizes.Length < 2) throw new ArgumentException($"model '{text}': need at least input and output sizes");
        var activation = "relu";
        var bias = true;
        foreach (var option in parts.Skip(2))
        {
            if (Activations.Contains(option)) activation = option;
            else if (option == "nobias") bias = false;
            else throw new ArgumentException($"model '{text}': unknown option '{option}' (expected {string.Join("|", Activations)} or nobias)");
        }
        return new ModelSpec(spec, sizes, sizes[1..^1], activation, bias);
    }

    private static ModelSpec ParseConv(string text, string spec, string[] parts, ModelFamily family, string activation)
    {
        int[] channels = [64, 64, 128], blocks = family == ModelFamily.ResNetBatchNorm ? [2, 2, 2] : [3, 3, 3];
        int hidden = 512, width = 16, depth = 10, widen = 2;
        int[] Sizes(string value, int count, string key)
        {
            var sizes = value.Split('-').Select(s => int.TryParse(s, out var n) && n > 0 ? n
                : throw new ArgumentException($"model '{text}': '{s}' is not a positive {key} value")).ToArray();
            return sizes.Length == count ? sizes : throw new ArgumentException($"model '{text}': {key} takes {count} values, got {sizes.Length}");
        }
        int Positive(string value, string key) => int.TryParse(value, out var n) && n > 0 ? n
            : throw new ArgumentException($"model '{text}': {key}={value} is not a positive integer");
        var keys = family switch
        {
            ModelFamily.Cnn => "channels=a-b-c, hidden=n or an activation (relu|silu|tanh)",
            ModelFamily.ResNet or ModelFamily.ResNetBatchNorm => "blocks=a-b-c, width=n",
            _ => "depth=n, k=n, width=n",
        };
        foreach (var option in parts.Skip(1))
        {
            var kv = option.Split('=', 2);
            var key = kv[0];
            var value = kv.Length == 2 ? kv[1] : "";
            switch (family, key)
            {
                case (ModelFamily.Cnn, "channels"): channels = Sizes(value, 3, key); break;
                case (ModelFamily.Cnn, "hidden"): hidden = Positive(value, key); break;
                case (ModelFamily.Cnn, "relu" or "silu" or "tanh") when kv.Length == 1: activation = key; break;
                case (ModelFamily.ResNet or ModelFamily.ResNetBatchNorm, "blocks"): blocks = Sizes(value, 3, key); break;
                case (ModelFamily.ResNet or ModelFamily.ResNetBatchNorm or ModelFamily.WideResNet or ModelFamily.WideResNetFixup, "width"): width = Positive(value, key); break;
                case (ModelFamily.WideResNet or ModelFamily.WideResNetFixup, "depth"): depth = Positive(value, key); break;
                case (ModelFamily.WideResNet or ModelFamily.WideResNetFixup, "k"): widen = Positive(value, key); break;
                default: throw new ArgumentException($"model '{text}': unknown option '{option}' (expected {keys})");
            }
        }
        return new ModelSpec(spec, null, family == ModelFamily.Cnn ? [hidden] : [], activation, true)
        {
            Family = family, Channels = channels, Blocks = blocks, Width = width, Depth = depth, Widen = widen,
        };
    }

    /// <summary>Builds the network for inputs of <paramref name="inputShape"/> and <paramref name="outputs"/> outputs (MLPs flatten the input).</summary>
    public Network<T> Build<T>(int[] inputShape, int outputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (Family)
        {
            case ModelFamily.Cnn: return ConvNets.Cnn<T>(inputShape, outputs, Channels, Hidden[0], Activation);
            case ModelFamily.ResNet: return ConvNets.ResNet<T>(inputShape, outputs, Blocks, Width, batchNorm: false);
            case ModelFamily.ResNetBatchNorm: return ConvNets.ResNet<T>(inputShape, outputs, Blocks, Width, batchNorm: true);
            case ModelFamily.WideResNet: return ConvNets.WideResNet<T>(inputShape, outputs, Depth, Widen, Width, batchNorm: true);
            case ModelFamily.WideResNetFixup: return ConvNets.WideResNet<T>(inputShape, outputs, Depth, Widen, Width, batchNorm: false);
        }
        var inputSize = inputShape.Aggregate(1, (a, b) => checked(a * b));
        if (Sizes is not null)
        {
            if (Sizes[0] != inputSize)
                throw new ArgumentException($"model '{Text}' takes {Sizes[0]} inputs but the input shape {string.Join("x", inputShape)} has {inputSize}");
            if (Sizes[^1] != outputs)
                throw new ArgumentException($"model '{Text}' gives {Sizes[^1]} outputs but {outputs} classes were asked for");
        }
        var layers = new List<Layer<T>>();
        var names = new List<string?>();
        if (inputShape.Length > 1)
        {
            layers.Add(new Flatten<T>(inputShape));
            names.Add(null);
        }
        var widths = new[] { inputSize }.Concat(Hidden).Append(outputs).ToArray();
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            layers.Add(new Linear<T>(widths[i], widths[i + 1], Bias));
            names.Add($"layers.{i}");
            if (i + 2 < widths.Length)
            {
                layers.Add(CreateActivation<T>(Activation, [widths[i + 1]]));
                names.Add(null);
            }
        }
        return new Network<T>(layers, names, $"{Text} ({string.Join("→", widths)}, {Activation})");
    }

    internal static Layer<T> CreateActivation<T>(string activation, int[] shape) where T : unmanaged, IFloatingPointIeee754<T> => activation switch
    {
        "relu" => new Relu<T>(shape),
        "tanh" => new Tanh<T>(shape),
        "silu" => new Silu<T>(shape),
        "gelu" => new Gelu<T>(shape),
        _ => new Identity<T>(shape),
    };

    /// <summary>
    /// EoSS HEAD initialisation (eoss_spec §3.4), statistically equivalent to PyTorch's (not bit-equal; import
    /// weights for bit-level comparisons). Weights draw N(0, std²) with std = gain/√fan and are multiplied by
    /// <paramref name="scale"/>; biases are 0. MLP and CNN: kaiming_normal_(fan_in, relu) (gain √2), or xavier_normal_
    /// with gain 5/3 for tanh. ResNet: kaiming_normal_(fan_out, relu) on every conv and the Linear. ResNet-BN: convs
    /// as ResNet, BatchNorm γ = 1, β = 0, Linear kaiming_normal_(fan_out, linear) (gain 1). WRN: convs as ResNet,
    /// BatchNorm (1, 0) but every block's bn2.weight = 0, fc kaiming_uniform_ (bound √(6/fan_in)). WRN-Fixup ignores
    /// the scale: stem and shortcut kaiming_normal_(fan_in), conv1 the same × (residual blocks)^(−1/2), conv2 and fc 0,
    /// Fixup biases 0 and scales 1.
    /// </summary>
    public void Initialize<T>(Network<T> network, Span<T> theta, double scale, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(scale > 0) || !double.IsFinite(scale)) throw new ArgumentException($"init scale must be positive and finite, got {scale}");
        if (theta.Length != network.ParameterCount) throw new ArgumentException("θ does not match the network");
        var rng = new Rng(seed);
        int residualBlocks = network.Layout.Tensors.Count(t => t.Name.EndsWith(".conv1.weight", StringComparison.Ordinal));
        foreach (var tensor in network.Layout.Tensors)
        {
            var values = theta.Slice(tensor.Offset, tensor.Count);
            var name = tensor.Name;
            var shape = tensor.Shape;
            int receptive = shape.Skip(2).Aggregate(1, (a, b) => a * b);
            int fanIn = shape.Length >= 2 ? shape[1] * receptive : 0, fanOut = shape.Length >= 2 ? shape[0] * receptive : 0;
            bool batchNorm = IsBatchNorm(name);
            string local = name[(name.LastIndexOf('.') + 1)..];
            bool fixupParameter = Family == ModelFamily.WideResNetFixup && local is "bias" or "bias1a" or "bias1b" or "bias2a" or "bias2b" or "scale" && shape.Length == 4;
            if (shape.Length < 2 || fixupParameter)
            {
                // biases and Fixup's biases are 0, Fixup's scales 1; BatchNorm weights are 1 (0 for WRN's bn2)
                var one = fixupParameter ? local == "scale"
                    : batchNorm && local == "weight" && !(Family == ModelFamily.WideResNet && name.EndsWith(".bn2.weight", StringComparison.Ordinal));
                values.Fill(one ? T.One : T.Zero);
                continue;
            }
            double std;
            switch (Family)
            {
                case ModelFamily.Mlp:
                case ModelFamily.Cnn:
                    std = scale * (Activation == "tanh" ? 5.0 / 3.0 * Math.Sqrt(2.0 / (fanIn + fanOut)) : Math.Sqrt(2.0 / fanIn));
                    break;
                case ModelFamily.ResNet:
                    std = scale * Math.Sqrt(2.0 / fanOut);
                    break;
                case ModelFamily.ResNetBatchNorm:
                    std = scale * (shape.Length == 2 ? Math.Sqrt(1.0 / fanOut) : Math.Sqrt(2.0 / fanOut));
                    break;
                case ModelFamily.WideResNet:
                    if (shape.Length == 2)
                    {
                        var bound = scale * Math.Sqrt(6.0 / fanIn);
                        for (int i = 0; i < values.Length; i++) values[i] = T.CreateTruncating(bound * (2 * rng.NextDouble() - 1));
                        continue;
                    }
                    std = scale * Math.Sqrt(2.0 / fanOut);
                    break;
                default: // Fixup
                    if (shape.Length == 2 || name.EndsWith(".conv2.weight", StringComparison.Ordinal))
                    {
                        values.Clear();
                        continue;
                    }
                    std = Math.Sqrt(2.0 / fanIn) * (name.EndsWith(".conv1.weight", StringComparison.Ordinal) ? 1.0 / Math.Sqrt(residualBlocks) : 1.0);
                    break;
            }
            for (int i = 0; i < values.Length; i++) values[i] = T.CreateTruncating(std * rng.NextNormal());
        }
    }

    /// <summary>A BatchNorm parameter by its module name (bn, bn1, bn2, …).</summary>
    private static bool IsBatchNorm(string name)
    {
        var module = name[..Math.Max(0, name.LastIndexOf('.'))];
        var last = module[(module.LastIndexOf('.') + 1)..];
        return last.StartsWith("bn", StringComparison.Ordinal) && last[2..].All(char.IsDigit);
    }
}
