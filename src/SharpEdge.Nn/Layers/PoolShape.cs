namespace SharpEdge.Nn.Layers;

/// <summary>Output shapes of pooling windows over [C, H, W] samples (no padding, floor mode, as PyTorch's defaults).</summary>
internal static class PoolShape
{
    public static int[] Output(string layer, int[] inputShape, int kernel, int stride)
    {
        if (inputShape.Length != 3 || inputShape.Any(s => s < 1))
            throw new ArgumentException($"{layer} takes [channels, height, width] samples, got [{string.Join(", ", inputShape)}]");
        if (kernel < 1 || stride < 1) throw new ArgumentException($"{layer} needs a positive kernel and stride, got {kernel} and {stride}");
        if (inputShape[1] < kernel || inputShape[2] < kernel)
            throw new ArgumentException($"{layer} window {kernel}x{kernel} does not fit a {inputShape[1]}x{inputShape[2]} input");
        return [inputShape[0], (inputShape[1] - kernel) / stride + 1, (inputShape[2] - kernel) / stride + 1];
    }
}
