using SharpEdge.Data.Download;
using SharpEdge.Data.Formats;
using SharpEdge.Data.Installation;

namespace SharpEdge.Data.Sources;

/// <summary>
/// CIFAR-10 (Krizhevsky 2009): 50,000 training and 10,000 test images, 3×32×32, 10 classes, read from the
/// python batches (torchvision's layout, the original's) or the binary batches. Subset
/// <c>default_rng(seed).choice(50000, n)</c>; x/255 normalised by (0.4914, 0.4822, 0.4465) / (0.2023, 0.1994,
/// 0.2010) (eoss_spec §4.2).
/// </summary>
public class Cifar10Source : DatasetSource
{
    public const string PythonFolder = "cifar-10-batches-py", BinaryFolder = "cifar-10-batches-bin";
    public const int TrainCount = 50_000, TestCount = 10_000;

    private static readonly string[] PythonTrain = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"];
    private static readonly string[] BinaryTrain = PythonTrain.Select(b => b + ".bin").ToArray();

    public override string Name => "cifar10";
    public override string Description => "CIFAR-10, 50,000 train, 10,000 test images 3x32x32, 10 classes (python or binary batches)";
    public override string FolderName => "cifar10";

    public override IReadOnlyList<RemoteFile> Downloads { get; } =
    [
        // the python version is the one the original reads (torchvision); md5 from the CIFAR page
        new("cifar-10-python.tar.gz", ["https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"], Md5: "c58f30108f718f92721af3b95e74349a", Size: 170_498_071),
    ];

    /// <summary>The six batch files, train then test, python layout preferred.</summary>
    public override IReadOnlyList<string> Find(string folder)
    {
        var python = Path.Combine(folder, PythonFolder);
        if (PythonTrain.Append("test_batch").All(f => File.Exists(Path.Combine(python, f))))
            return PythonTrain.Append("test_batch").Select(f => Path.Combine(python, f)).ToArray();
        var binary = Path.Combine(folder, BinaryFolder);
        if (BinaryTrain.Append("test_batch.bin").All(f => File.Exists(Path.Combine(binary, f))))
            return BinaryTrain.Append("test_batch.bin").Select(f => Path.Combine(binary, f)).ToArray();
        throw Missing(folder, $"{PythonFolder}/data_batch_1..5 + test_batch (or {BinaryFolder}/*.bin)");
    }

    /// <summary>Both splits as the files hold them: train (50,000) and test (10,000).</summary>
    protected (LabelledImages Train, LabelledImages Test) ReadSplits(string folder)
    {
        var files = Find(folder);
        Func<string, LabelledImages> read = files[0].EndsWith(".bin", StringComparison.Ordinal) ? CifarBatch.ReadBinary : CifarBatch.ReadPickle;
        var batches = new LabelledImages[files.Count];
        Parallel.For(0, files.Count, i => batches[i] = read(files[i]));
        return (LabelledImages.Concatenate(batches[..^1]), batches[^1]);
    }

    protected static void Planar(ReadOnlySpan<byte> pixels, Span<float> destination) =>
        ImageNormalization.Cifar10.FromPlanar(pixels, destination);

    public override Dataset Load(DataRequest request, string folder)
    {
        var (train, test) = ReadSplits(folder);
        var choice = AlwaysChoose(Name, request, train.Count);
        var testAll = ImageRows.Range(test.Count);
        return new Dataset(Name, ImageRows.Gather(train, choice.Indices, Planar), ImageRows.Labels(train, choice.Indices),
            ImageRows.Gather(test, testAll, Planar), ImageRows.Labels(test, testAll), [3, 32, 32], CifarBatch.Classes)
        {
            TrainIndices = choice.Indices,
            Source = folder,
            SubsetRule = choice.Rule,
        };
    }

    public override void Install(FileCandidates candidates, string target, Action<string> log)
    {
        bool python = candidates.FindFile(PythonTrain[0]) is not null;
        if (!python && candidates.FindFile(BinaryTrain[0]) is null)
            throw new FileNotFoundException($"{Name}: no CIFAR-10 batches ({PythonFolder}/data_batch_1 or {BinaryFolder}/data_batch_1.bin) found in {candidates}");
        var names = python ? PythonTrain.Append("test_batch").ToArray() : BinaryTrain.Append("test_batch.bin").ToArray();
        var layout = python ? PythonFolder : BinaryFolder;
        int train = 0, test = 0;
        foreach (var name in names)
        {
            var file = candidates.FindFile(name)
                       ?? throw new FileNotFoundException($"{Name}: {name} not found in {candidates} (expected {PythonFolder}/ or {BinaryFolder}/ from the official archives)");
            var batch = python ? CifarBatch.ReadPickle(file) : CifarBatch.ReadBinary(file);
            if (name.StartsWith("test", StringComparison.Ordinal)) test += batch.Count; else train += batch.Count;
            candidates.Place(file, Path.Combine(target, layout, name));
            log($"{Name}: {name}: {batch.Count:N0} images");
        }
        // each file was read in full above; a different total is worth a word but not a refusal (custom or test batches)
        if (train != TrainCount || test != TestCount)
            log($"{Name}: note: {train:N0} training and {test:N0} test images, the official set has {TrainCount:N0} and {TestCount:N0}");
        foreach (var extra in new[] { "batches.meta", "batches.meta.txt", "readme.html" })
            if (candidates.FindFile(extra) is { } meta) candidates.Place(meta, Path.Combine(target, layout, extra));
    }
}
