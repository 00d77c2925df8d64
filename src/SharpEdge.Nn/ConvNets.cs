using System.Numerics;
using SharpEdge.Nn.Layers;

namespace SharpEdge.Nn;

/// <summary>
/// The EoSS image models (eoss_spec §3.2-§3.3) with PyTorch's module names, so their state_dicts load unchanged.
/// Every builder takes the input channels and spatial size from the data (the original hard-codes 3 input channels
/// and the CNN's 128·6·6 flatten size, so it fails on 1-channel 28×28 data; here Fashion-MNIST and MNIST work).
/// </summary>
public static class ConvNets
{
    /// <summary>
    /// EoSS <c>CNN</c>: <c>convs</c> = Conv(c0, 3×3) act, Conv(c1) act, MaxPool 2, Conv(c2) act, MaxPool 2 (no padding,
    /// with bias); flatten in [C, H, W] order; <c>fcs</c> = Linear(·, hidden) act, Linear(hidden, classes).
    /// Default channels 64, 64, 128 and hidden 512: 2,477,514 parameters on CIFAR-10.
    /// </summary>
    public static Network<T> Cnn<T>(int[] input, int outputs, int[] channels, int hidden, string activation) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckImage(input, "cnn");
        if (channels.Length != 3) throw new ArgumentException($"cnn takes three conv widths, got {channels.Length}");
        var b = new Builder<T>();
        var shape = input;
        Layer<T> Act(int[] s) => ModelSpec.CreateActivation<T>(activation, s);
        shape = b.Add("convs.0", new Conv2d<T>(shape, channels[0], 3)); b.Add(null, Act(shape));
        shape = b.Add("convs.2", new Conv2d<T>(shape, channels[1], 3)); b.Add(null, Act(shape));
        shape = b.Add(null, new MaxPool2d<T>(shape, 2));
        shape = b.Add("convs.5", new Conv2d<T>(shape, channels[2], 3)); b.Add(null, Act(shape));
        shape = b.Add(null, new MaxPool2d<T>(shape, 2));
        shape = b.Add(null, new Flatten<T>(shape));
        shape = b.Add("fcs.0", new Linear<T>(shape[0], hidden)); b.Add(null, Act(shape));
        b.Add("fcs.2", new Linear<T>(hidden, outputs));
        return b.Build($"cnn ({string.Join("x", input)}: conv {string.Join("-", channels)}, fc {hidden}, {activation})");
    }

    /// <summary>
    /// Idelbayev's CIFAR ResNet (<c>utils/resnet_new.py</c>, <c>resnet_bn_new.py</c>): stem <c>conv1</c> 3×3 (no bias)
    /// [<c>bn1</c>] ReLU; stages <c>layer1..3</c> of BasicBlocks with width, 2·width, 4·width planes and strides 1, 2, 2,
    /// each block relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut(x)) with the option-A shortcut where the shape changes;
    /// global average pool; <c>linear</c>. Without BatchNorm the bn modules are nn.Identity (no parameters).
    /// </summary>
    public static Network<T> ResNet<T>(int[] input, int outputs, int[] blocks, int width, bool batchNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckImage(input, "resnet");
        if (blocks.Length != 3 || blocks.Any(n => n < 1)) throw new ArgumentException("resnet takes three positive block counts");
        if (width < 2 || width % 2 != 0) throw new ArgumentException($"resnet width must be even (the option-A shortcut pads planes/4 channels per side), got {width}");
        var b = new Builder<T>();
        var shape = b.Add("conv1", new Conv2d<T>(input, width, 3, 1, 1, bias: false));
        if (batchNorm) b.Add("bn1", new BatchNorm<T>(shape));
        b.Add(null, new Relu<T>(shape));
        int inPlanes = width;
        for (int s = 0; s < 3; s++)
        {
            int planes = width << s;
            for (int k = 0; k < blocks[s]; k++)
            {
                int stride = k == 0 && s > 0 ? 2 : 1;
                var main = new List<(string?, Layer<T>)>();
                var conv1 = new Conv2d<T>(shape, planes, 3, stride, 1, bias: false);
                main.Add(("conv1", conv1));
                if (batchNorm) main.Add(("bn1", new BatchNorm<T>(conv1.OutputShape)));
                main.Add((null, new Relu<T>(conv1.OutputShape)));
                var conv2 = new Conv2d<T>(conv1.OutputShape, planes, 3, 1, 1, bias: false);
                main.Add(("conv2", conv2));
                if (batchNorm) main.Add(("bn2", new BatchNorm<T>(conv2.OutputShape)));
                var shortcut = new List<(string?, Layer<T>)>();
                if (stride != 1 || inPlanes != planes) shortcut.Add((null, new OptionAShortcut<T>(shape, 2, planes / 4)));
                shape = b.Add($"layer{s + 1}.{k}", new Residual<T>(shape, main, shortcut));
                b.Add(null, new Relu<T>(shape));
                inPlanes = planes;
            }
        }
        shape = b.Add(null, new GlobalAvgPool2d<T>(shape));
        b.Add("linear", new Linear<T>(shape[0], outputs));
        int depth = 2 + 2 * blocks.Sum();
        return b.Build($"resnet{depth}{(batchNorm ? " with BatchNorm" : "")} ({string.Join("x", input)}: blocks {string.Join("-", blocks)}, width {width})");
    }

    /// <summary>
    /// EoSS <c>utils/wrn.py</c>: stem 3×3 conv (width channels, no bias); groups <c>group1..3</c> of (depth − 4)/6
    /// pre-activation blocks of width·k, 2·width·k, 4·width·k channels, strides 1, 2, 2, each
    /// conv2(relu(bn2(conv1(relu(bn1 x))))) + shortcut(x) with a 1×1 conv shortcut where the shape changes; then
    /// relu(bn(·)), global average pool, <c>fc</c>. The Fixup variant (<c>WideResNetNoBN</c>) replaces BatchNorm by
    /// per-channel parameters: conv2(relu(conv1(relu(x + bias1a)) + bias1b + bias2a))·scale + bias2b + shortcut(x),
    /// and relu(· + bias) before the pool, with the network's <c>bias</c> registered first.
    /// </summary>
    public static Network<T> WideResNet<T>(int[] input, int outputs, int depth, int widen, int width, bool batchNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckImage(input, "wrn");
        if (depth < 10 || (depth - 4) % 6 != 0) throw new ArgumentException($"wrn depth must be 6n+4 with n ≥ 1 (10, 16, 22, …), got {depth}");
        if (widen < 1 || width < 1) throw new ArgumentException($"wrn widen factor and width must be positive, got {widen} and {width}");
        int perGroup = (depth - 4) / 6;
        var b = new Builder<T>();
        var shape = b.Add("stem", new Conv2d<T>(input, width, 3, 1, 1, bias: false));
        int inChannels = width;
        for (int g = 0; g < 3; g++)
        {
            int outChannels = (width << g) * widen;
            for (int k = 0; k < perGroup; k++)
            {
                int stride = k == 0 && g > 0 ? 2 : 1;
                var conv1 = new Conv2d<T>(shape, outChannels, 3, stride, 1, bias: false);
                var conv2 = new Conv2d<T>(conv1.OutputShape, outChannels, 3, 1, 1, bias: false);
                var inner = conv1.OutputShape;
                var shortcut = new List<(string?, Layer<T>)>();
                if (stride != 1 || inChannels != outChannels) shortcut.Add(("shortcut", new Conv2d<T>(shape, outChannels, 1, stride, 0, bias: false)));
                Residual<T> block = batchNorm
                    ? new Residual<T>(shape,
                        [("bn1", new BatchNorm<T>(shape)), (null, new Relu<T>(shape)), ("conv1", conv1),
                         ("bn2", new BatchNorm<T>(inner)), (null, new Relu<T>(inner)), ("conv2", conv2)], shortcut)
                    : new Residual<T>(shape,
                        [("bias1a", new ChannelBias<T>(shape)), (null, new Relu<T>(shape)), ("conv1", conv1), ("bias1b", new ChannelBias<T>(inner)),
                         ("bias2a", new ChannelBias<T>(inner)), (null, new Relu<T>(inner)), ("conv2", conv2), ("scale", new ChannelScale<T>(inner)),
                         ("bias2b", new ChannelBias<T>(inner))], shortcut,
                        ["bias1a", "bias1b", "bias2a", "bias2b", "scale", "conv1", "conv2", .. shortcut.Select(s => s.Item1!)]);
                shape = b.Add($"group{g + 1}.{k}", block);
                inChannels = outChannels;
            }
        }
        int first = -1;
        if (batchNorm) b.Add("bn", new BatchNorm<T>(shape));
        else first = b.AddIndex("bias", new ChannelBias<T>(shape));
        b.Add(null, new Relu<T>(shape));
        shape = b.Add(null, new GlobalAvgPool2d<T>(shape));
        b.Add("fc", new Linear<T>(shape[0], outputs));
        return b.Build($"wrn-{depth}-{widen}{(batchNorm ? "" : " without BatchNorm (Fixup)")} ({string.Join("x", input)}: width {width})", first);
    }

    private static void CheckImage(int[] input, string model)
    {
        if (input.Length != 3)
            throw new ArgumentException($"{model} takes images [channels, height, width], got input shape {string.Join("x", input)} (e.g. --input-shape 3x32x32)");
    }

    /// <summary>Collects layers and their module names in forward order.</summary>
    private sealed class Builder<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly List<Layer<T>> layers = [];
        private readonly List<string?> names = [];

        public int[] Add(string? name, Layer<T> layer)
        {
            AddIndex(name, layer);
            return layer.OutputShape;
        }

        public int AddIndex(string? name, Layer<T> layer)
        {
            layers.Add(layer);
            names.Add(name);
            return layers.Count - 1;
        }

        /// <param name="registeredFirst">a layer whose parameters PyTorch registers before all others (a module's own nn.Parameter), or −1.</param>
        public Network<T> Build(string description, int registeredFirst = -1)
        {
            var order = Enumerable.Range(0, layers.Count).ToList();
            if (registeredFirst >= 0)
            {
                order.Remove(registeredFirst);
                order.Insert(0, registeredFirst);
            }
            return new Network<T>(layers, names, description, order);
        }
    }
}
