namespace SharpEdge.Data;

/// <summary>
/// Parameters of the synthetic Gaussian mixture (see <see cref="Sources.SyntheticGaussianSource"/>). The
/// default shape is CIFAR-10's, so every model preset accepts it.
/// </summary>
public sealed record SyntheticGaussianSpec
{
    public int Channels { get; init; } = 3;
    public int Height { get; init; } = 32;
    public int Width { get; init; } = 32;
    public int Classes { get; init; } = 10;

    /// <summary>Training samples when <c>--num-data</c> is 0.</summary>
    public int DefaultTrainCount { get; init; } = 8192;

    public int TestCount { get; init; } = 2048;

    /// <summary>Expected distance between two class means, in units of the noise's standard deviation.</summary>
    public double Separation { get; init; } = 4.0;

    public int[] InputShape => Channels == 1 && Height == 1 ? [Width] : [Channels, Height, Width];

    public override string ToString() => $"{Channels}x{Height}x{Width}/{Classes}/{DefaultTrainCount}/{TestCount}/{Separation:R}";
}
