using SharpEdge.Data.Installation;
using SharpEdge.Numerics;

namespace SharpEdge.Data.Sources;

/// <summary>
/// A synthetic Gaussian mixture, generated from the seed (no files). With d the input size and C the classes:
/// <list type="number">
/// <item>class means μ_c ~ N(0, s²/(2d) · I_d), c = 0..C−1, so that E‖μ_a − μ_b‖ ≈ s (the separation,
/// default 4): a pair of classes is confused about Φ(−s/2) of the time (2.3% at s = 4);</item>
/// <item>each sample draws its label y uniformly from 0..C−1 and its input x = μ_y + ε with ε ~ N(0, I_d).</item>
/// </list>
/// Draws use SharpEdge's xoshiro256** <see cref="Rng"/>: means from seed <c>dataset_seed</c>, training
/// samples from generators seeded <c>dataset_seed + 1</c> (training) and <c>+ 2</c> (test),
/// so <c>--num-data</c> changes the training set only by extending it. Shape 3×32×32 with 10 classes by
/// default, so every model preset accepts it; <c>--num-data 0</c> gives 8,192 training samples; 2,048 test.
/// </summary>
public sealed class SyntheticGaussianSource : DatasetSource
{
    public override string Name => "synthetic";
    public override string Description => "Gaussian mixture generated from the seed, 3x32x32, 10 classes (no files)";
    public override bool NeedsInstall => false;
    public override string? FetchUnavailable => "synthetic is generated from --dataset-seed; nothing to fetch";
    public override string Location(string dataRoot) => "generated";

    public override IReadOnlyList<string> Find(string folder) => [];

    public override Dataset Load(DataRequest request, string folder)
    {
        var spec = request.Synthetic;
        if (spec.Channels < 1 || spec.Height < 1 || spec.Width < 1) throw new ArgumentException("synthetic input dimensions must be positive");
        if (spec.Classes < 2) throw new ArgumentException($"synthetic needs at least two classes, got {spec.Classes}");
        if (!(spec.Separation >= 0)) throw new ArgumentException($"synthetic separation must be non-negative, got {spec.Separation}");
        if (request.NumData < 0) throw new ArgumentException($"--num-data must be non-negative, got {request.NumData}");
        int d = spec.Channels * spec.Height * spec.Width;
        int trainCount = request.NumData == 0 ? spec.DefaultTrainCount : request.NumData;
        var means = new double[spec.Classes * d];
        new Rng(request.DatasetSeed).FillNormal(means, 0, spec.Separation / Math.Sqrt(2.0 * d));
        var (trainX, trainY) = Draw(means, d, spec.Classes, trainCount, new Rng(request.DatasetSeed + 1));
        var (testX, testY) = Draw(means, d, spec.Classes, spec.TestCount, new Rng(request.DatasetSeed + 2));
        return new Dataset(Name, trainX, trainY, testX, testY, spec.InputShape, spec.Classes)
        {
            TrainIndices = ImageRows.Range(trainCount),
            Source = "generated",
            SubsetRule = $"{trainCount} samples drawn with seed {request.DatasetSeed} (separation {spec.Separation:G})",
        };
    }

    /// <summary>Per sample: the label, then the d noise values, so a longer draw extends a shorter one.</summary>
    private static (float[] X, int[] Y) Draw(double[] means, int d, int classes, int count, Rng rng)
    {
        var x = new float[(long)count * d <= Array.MaxLength ? count * d : throw new ArgumentException($"{count:N0} synthetic samples of size {d} exceed one array")];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            y[i] = rng.NextInt(classes);
            var mean = means.AsSpan(y[i] * d, d);
            var row = x.AsSpan(i * d, d);
            for (int j = 0; j < d; j++) row[j] = (float)(mean[j] + rng.NextNormal());
        }
        return (x, y);
    }

    public override void Install(FileCandidates candidates, string target, Action<string> log) =>
        throw new InvalidOperationException("synthetic is generated from --dataset-seed; there is nothing to import");
}
