using SharpEdge.Data.Formats;
using SharpEdge.Data.Subsets;
using SharpEdge.Tests;

namespace SharpEdge.Data.Tests;

public sealed class DatasetTests : IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    private DataRequest Request(int numData = 0, ulong seed = 888) => new() { DataFolder = _root.Path, NumData = numData, DatasetSeed = seed };

    [Fact]
    public void Shipped_fmnist_mini_loads_with_the_fashion_normalisation()
    {
        var mini = Datasets.Load("fmnist-mini");
        Assert.Equal((4096, 1024), (mini.TrainCount, mini.TestCount));
        Assert.Equal(new[] { 1, 28, 28 }, mini.InputShape);
        Assert.Equal(10, mini.Outputs);
        var (raw, _) = Idx.Read(Path.Combine(DataFolder.Shipped, "fmnist-mini", "train-images-idx3-ubyte.gz"));
        Assert.Equal((raw[784 * 5 + 400] / 255f - 0.2860f) / 0.3530f, mini.TrainInputs[784 * 5 + 400]);
        Assert.Same(mini, Datasets.Load("fmnist-mini"));   // loaded once
    }

    [Fact]
    public void Subset_follows_numpy_choice_and_keeps_its_order()
    {
        var full = Datasets.Load("fmnist-mini");
        var subset = Datasets.Load("fmnist-mini", new DataRequest { NumData = 300, DatasetSeed = 5 });
        var expected = NumpySubset.Choose(5, 4096, 300);
        Assert.Equal(expected, subset.TrainIndices);
        Assert.Equal(full.TrainInputs.AsSpan(expected[17] * 784, 784).ToArray(), subset.TrainInputs.AsSpan(17 * 784, 784).ToArray());
        Assert.Equal(full.TrainLabels[expected[299]], subset.TrainLabels[299]);
        Assert.Equal(full.TestInputs, subset.TestInputs);
        Assert.Contains("default_rng(5).choice(4096, 300", subset.SubsetRule);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cifar10_from_python_or_binary_batches(bool binary)
    {
        var (train, trainLabels, test, testLabels) = DataFiles.Cifar(_root.File("cifar10"), binary);
        var all = Datasets.Load("cifar10", Request());
        Assert.Equal(150, all.TrainCount);
        Assert.Equal(DataFiles.CifarRow(train, 149), all.TrainInputs[(149 * 3072)..]);
        Assert.Equal(DataFiles.CifarRow(test, 3), all.TestInputs.AsSpan(3 * 3072, 3072).ToArray());
        Assert.Equal(testLabels, all.TestLabels);
        var subset = Datasets.Load("cifar10", Request(40, 3));
        var chosen = NumpySubset.Choose(3, 150, 40);
        Assert.Equal(chosen, subset.TrainIndices);
        Assert.Equal(DataFiles.CifarRow(train, chosen[11]), subset.TrainInputs.AsSpan(11 * 3072, 3072).ToArray());
        Assert.Equal(chosen.Select(i => trainLabels[i]), subset.TrainLabels);
        var tooMany = Assert.Throws<ArgumentException>(() => Datasets.Load("cifar10", Request(151)));
        Assert.Contains("exceeds the 150", tooMany.Message);
    }

    [SkippableFact]
    public void Normalisation_matches_float32_arithmetic_bit_for_bit()
    {
        Skip.IfNot(PythonNumpy.Available, "python3 with numpy is not installed");
        // PyTorch computes (x/255 − mean)/std in float32, one rounding per operation; numpy float32 does the same
        var output = PythonNumpy.Run("""
            import numpy as np
            x = np.arange(256, dtype=np.float32)
            for mean, std in ((0.4914, 0.2023), (0.4465, 0.2010), (0.2860, 0.3530), (0.47889522, 0.24205776)):
                print(','.join(str(v) for v in ((x / np.float32(255) - np.float32(mean)) / np.float32(std)).view(np.uint32)))
            """).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var cases = new[] { (ImageNormalization.Cifar10, 0), (ImageNormalization.Cifar10, 2), (ImageNormalization.FashionMnist, 0), (ImageNormalization.Cinic10, 0) };
        for (int k = 0; k < cases.Length; k++)
        {
            var expected = output[k].Split(',').Select(uint.Parse).ToArray();
            var actual = Enumerable.Range(0, 256).Select(v => BitConverter.SingleToUInt32Bits(cases[k].Item1.Apply((byte)v, cases[k].Item2))).ToArray();
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Two_class_cifar_has_plus_minus_one_targets_and_refuses_cross_entropy()
    {
        var (_, trainLabels, _, testLabels) = DataFiles.Cifar(_root.File("cifar10"));
        var set = Datasets.Load("cifar10_2cls", Request(10) with { FirstClass = 1, SecondClass = 9 });
        var expected = TwoClassSubset.Select(trainLabels, 1, 9, 5);
        Assert.Equal(expected, set.TrainIndices);
        Assert.Equal(1, set.Outputs);
        var samples = set.Train<float>("mse");
        Assert.Equal(expected.Select(i => trainLabels[i] == 1 ? 1f : -1f), samples.Targets!);
        Assert.Equal(testLabels.Count(l => l is 1 or 9), set.TestCount);
        var error = Assert.Throws<ArgumentException>(() => set.Train<float>("ce"));
        Assert.Contains("cross-entropy", error.Message);
        // the seed plays no part
        Assert.Equal(expected, Datasets.Load("cifar10_2cls", Request(10, seed: 1)).TrainIndices);
    }

    [Fact]
    public void Targets_are_one_hot_for_mse_and_labels_for_ce()
    {
        var mini = Datasets.Load("fmnist-mini");
        var mse = mini.Train<double>("mse", 3);
        Assert.Equal(30, mse.Targets!.Length);
        for (int i = 0; i < 3; i++) Assert.Equal(1.0, mse.Targets[i * 10 + mini.TrainLabels[i]]);
        Assert.Equal(3.0, mse.Targets.Sum());
        Assert.Null(mse.Labels);
        var ce = mini.Train<float>("ce");
        Assert.Same(mini.TrainInputs, ce.Inputs);   // float32 held once, not copied
        Assert.Equal(mini.TrainLabels, ce.Labels);
        Assert.Throws<ArgumentException>(() => mini.Train<float>("hinge"));
    }

    [Fact]
    public void Svhn_draws_when_in_range_and_keeps_everything_otherwise()
    {
        Directory.CreateDirectory(_root.File("svhn"));
        var x = FormatWriters.Pixels(3072 * 12, 30);
        double[] y = [10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1];
        File.WriteAllBytes(_root.File("svhn/train_32x32.mat"), FormatWriters.Mat(x, [32, 32, 3, 12], y, compress: true, compactLabels: true));
        File.WriteAllBytes(_root.File("svhn/test_32x32.mat"), FormatWriters.Mat(x[..(3072 * 4)], [32, 32, 3, 4], y[..4], compress: false, compactLabels: false));
        Assert.Equal(Enumerable.Range(0, 12), Datasets.Load("svhn", Request(13)).TrainIndices!);
        var subset = Datasets.Load("svhn", Request(5, 2));
        Assert.Equal(NumpySubset.Choose(2, 12, 5), subset.TrainIndices);
        Assert.Equal(subset.TrainIndices!.Select(i => y[i] == 10 ? 0 : (int)y[i]), subset.TrainLabels);
        Assert.Equal(new[] { 0, 1, 2, 3 }, subset.TestLabels);
    }

    [Fact]
    public void Cinic10_prefix_rule_is_class_sorted_and_the_fixed_rule_draws()
    {
        foreach (var split in new[] { "train", "valid", "test" })
        foreach (var cls in new[] { "cat", "airplane" })
        for (int i = 0; i < 3; i++)
        {
            Directory.CreateDirectory(_root.File($"cinic10/{split}/{cls}"));
            File.WriteAllBytes(_root.File($"cinic10/{split}/{cls}/{cls}-{i}.png"), FormatWriters.Png(FormatWriters.Pixels(3072, i + cls.Length), 32, 32, 3));
        }
        // the original: the first 3 images are all airplanes (class 0), whatever the seed
        Assert.Equal(new[] { 0, 0, 0 }, Datasets.Load("cinic10", Request(3)).TrainLabels);
        var spill = Datasets.Load("cinic10", Request(8));
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1, 0, 0 }, spill.TrainLabels);   // train/ then valid/
        Assert.Equal(6, spill.TestCount);
        var random = Datasets.Load("cinic10", Request(4, 7) with { CinicRandomSubset = true });
        Assert.Equal(NumpySubset.Choose(7, 6, 4), random.TrainIndices);
    }

    [Fact]
    public void ImageNet32_reads_batches_in_python_sorted_order_and_shifts_labels()
    {
        Directory.CreateDirectory(_root.File("imagenet32"));
        foreach (var (name, label) in new[] { ("train_data_batch_1", 1), ("train_data_batch_2", 2), ("train_data_batch_10", 10), ("val_data", 1000) })
        {
            var w = new PickleWriter(python2: false);
            w.Dict(p => { p.Str("data"); p.UInt8Array(FormatWriters.Pixels(2 * 3072, label), 2, 3072); },
                p => { p.Str("labels"); p.IntList([label, label]); });
            File.WriteAllBytes(_root.File($"imagenet32/{name}"), w.Finish());
        }
        var set = Datasets.Load("imagenet32", Request());
        Assert.Equal(new[] { 0, 0, 9, 9, 1, 1 }, set.TrainLabels);   // _1, _10, _2
        Assert.Equal(new[] { 999, 999 }, set.TestLabels);
        Assert.Equal(1000, set.Outputs);
        var subset = Datasets.Load("imagenet32", Request(3, 4));
        Assert.Equal(NumpySubset.Choose(4, 6, 3), subset.TrainIndices);
        var row = new float[3072];
        ImageNormalization.ImageNet.FromPlanar(FormatWriters.Pixels(2 * 3072, 10).AsSpan(3072, 3072), row);
        Assert.Equal(row, set.TrainInputs.AsSpan(3 * 3072, 3072).ToArray());
    }

    [Fact]
    public void Synthetic_mixture_is_reproducible_and_separated_as_documented()
    {
        var request = new DataRequest { NumData = 2000, DatasetSeed = 3, Synthetic = new SyntheticGaussianSpec { Channels = 1, Height = 1, Width = 400, Classes = 2 } };
        var a = Datasets.Load("synthetic", request);
        Assert.Equal(new[] { 400 }, a.InputShape);
        Assert.Equal(a.TrainInputs, Datasets.Load("synthetic", request with { DataFolder = "/elsewhere" }).TrainInputs);
        // distance between the empirical class means ≈ separation 4 (noise adds ≈ d·(1/n₀ + 1/n₁))
        var means = Enumerable.Range(0, 2).Select(c =>
        {
            var rows = Enumerable.Range(0, 2000).Where(i => a.TrainLabels[i] == c).ToArray();
            return Enumerable.Range(0, 400).Select(j => rows.Average(i => (double)a.TrainInputs[i * 400 + j])).ToArray();
        }).ToArray();
        double squared = means[0].Zip(means[1], (u, v) => (u - v) * (u - v)).Sum() - 400 * (2.0 / 1000);
        Assert.InRange(Math.Sqrt(squared), 2.5, 5.5);
        Assert.Equal(2048, a.TestCount);
    }

    [Fact]
    public void Unknown_and_missing_sets_say_what_to_do()
    {
        var unknown = Assert.Throws<ArgumentException>(() => Datasets.Load("cifar100"));
        Assert.Contains("cifar10, cifar10_2cls, fmnist", unknown.Message);
        var missing = Assert.Throws<DataNotInstalledException>(() => Datasets.Load("svhn", Request()));
        Assert.Contains(_root.File("svhn"), missing.Message);
        Assert.Contains("sharpedge data fetch svhn", missing.Message);
        Assert.Contains("sharpedge data import svhn PATH", missing.Message);
        Assert.DoesNotContain('\n', missing.Message);
        var imagenet = Assert.Throws<DataNotInstalledException>(() => Datasets.Load("imagenet32", Request()));
        Assert.Contains("image-net.org", imagenet.Message);
    }
}
