using System.Numerics;
using SharpEdge.Nn.Layers;
using SharpEdge.Numerics;

namespace SharpEdge.Nn;

/// <summary>
/// A model described by a spec string: a custom MLP <c>mlp:784-512-512-10:relu</c> (sizes from input to output,
/// activation after every Linear but the last; options <c>tanh|silu|gelu|identity|relu</c>, <c>nobias</c>) or
/// one of the EoSS presets (eoss_spec §3.1) whose input and output sizes come from the data set.
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
    /// <summary>Explicit sizes of a custom spec (input … output); null for presets.</summary>
    public int[]? Sizes { get; }
    public int[] Hidden { get; }
    public string Activation { get; }
    public bool Bias { get; }

    public static IReadOnlyCollection<string> PresetNames => MlpPresets.Keys;

    public static ModelSpec Parse(string text)
    {
        var spec = text.Trim();
        if (MlpPresets.TryGetValue(spec, out var preset))
            return new ModelSpec(spec, null, Enumerable.Repeat(preset.Width, preset.Depth).ToArray(), preset.Activation, true);
        var parts = spec.Split(':');
        if (parts[0] != "mlp" || parts.Length < 2)
            throw new ArgumentException($"unknown model '{text}': expected a preset ({string.Join(", ", MlpPresets.Keys)}) or a spec like mlp:784-512-512-10:relu");
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

    /// <summary>Builds the network for inputs of <paramref name="inputShape"/> (flattened) and <paramref name="outputs"/> outputs.</summary>
    public Network<T> Build<T>(int[] inputShape, int outputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
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
                layers.Add(CreateActivation<T>(widths[i + 1]));
                names.Add(null);
            }
        }
        return new Network<T>(layers, names, $"{Text} ({string.Join("→", widths)}, {Activation})");
    }

    private Layer<T> CreateActivation<T>(int width) where T : unmanaged, IFloatingPointIeee754<T> => Activation switch
    {
        "relu" => new Relu<T>([width]),
        "tanh" => new Tanh<T>([width]),
        "silu" => new Silu<T>([width]),
        "gelu" => new Gelu<T>([width]),
        _ => new Identity<T>([width]),
    };

    /// <summary>
    /// EoSS initialisation (eoss_spec §3.4): every Linear weight ~ N(0, (gain/√fan_in)²)·scale with gain √2
    /// (kaiming_normal_, fan_in, relu) for relu/silu/gelu/identity, or xavier_normal_ with gain 5/3 for tanh
    /// (std = gain·√(2/(fan_in+fan_out))); biases 0. Statistically equivalent to PyTorch's, not bit-equal
    /// (import weights for bit-level comparisons).
    /// </summary>
    public void Initialize<T>(Network<T> network, Span<T> theta, double scale, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(scale > 0) || !double.IsFinite(scale)) throw new ArgumentException($"init scale must be positive and finite, got {scale}");
        if (theta.Length != network.ParameterCount) throw new ArgumentException("θ does not match the network");
        var rng = new Rng(seed);
        foreach (var tensor in network.Layout.Tensors)
        {
            var values = theta.Slice(tensor.Offset, tensor.Count);
            if (tensor.Shape.Length == 1) { values.Clear(); continue; }
            int fanOut = tensor.Shape[0], fanIn = tensor.Shape[1];
            var std = Activation == "tanh" ? 5.0 / 3.0 * Math.Sqrt(2.0 / (fanIn + fanOut)) : Math.Sqrt(2.0 / fanIn);
            std *= scale;
            for (int i = 0; i < values.Length; i++) values[i] = T.CreateTruncating(std * rng.NextNormal());
        }
    }
}
