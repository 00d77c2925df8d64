using SharpEdge.Data.Formats;
using SharpEdge.Data.Installation;

namespace SharpEdge.Data.Sources;

/// <summary>
/// ImageNet 32×32 (Chrabaszcz, Loshchilov and Hutter 2017): <c>train_data_batch_*</c> (1,281,167 images in
/// all) and <c>val_data</c> (50,000), 1000 classes. As the original (eoss_spec §4.2): every training batch is
/// read, in Python's sorted name order (…_1, …_10, …_2, …; it decides which index is which image), then
/// <c>choice(len, n)</c> when <c>0 &lt; n &lt; len</c>; labels − 1; x/255 normalised by ImageNet's (0.485,
/// 0.456, 0.406) / (0.229, 0.224, 0.225). The downloads need an ImageNet account, so there is no fetch.
/// </summary>
public sealed class ImageNet32Source : DatasetSource
{
    private const string TrainPrefix = "train_data_batch_", ValidationFile = "val_data";

    public override string Name => "imagenet32";
    public override string Description => "ImageNet 32x32, 1,281,167 train, 50,000 test images 3x32x32, 1000 classes (pickle batches; import only)";
    public override string FetchUnavailable =>
        "the ImageNet-32 files need an image-net.org account (download Imagenet32_train.zip and Imagenet32_val.zip there)";

    public override IReadOnlyList<string> Find(string folder)
    {
        var train = Directory.Exists(folder)
            ? Directory.GetFiles(folder, TrainPrefix + "*").Order(StringComparer.Ordinal).ToArray()
            : [];
        var validation = Path.Combine(folder, ValidationFile);
        if (train.Length == 0 || !File.Exists(validation)) throw Missing(folder, $"{TrainPrefix}1..10 and {ValidationFile}");
        return [.. train, validation];
    }

    private static void Planar(ReadOnlySpan<byte> pixels, Span<float> destination) => ImageNormalization.ImageNet.FromPlanar(pixels, destination);

    public override Dataset Load(DataRequest request, string folder)
    {
        var files = Find(folder);
        // kept as separate batches: all of them together (3.9 GB) exceed one .NET array
        var batches = files.Take(files.Count - 1).Select(ImageNet32Batch.Read).ToArray();
        var starts = new long[batches.Length + 1];
        for (int b = 0; b < batches.Length; b++) starts[b + 1] = starts[b] + batches[b].Count;
        int total = checked((int)starts[^1]);
        var choice = ChooseIfInRange(request, total, allowFull: false);
        var indices = choice.Indices;
        if ((long)indices.Length * ImageNet32Batch.ImageSize > Array.MaxLength)
            throw new InvalidOperationException($"all {indices.Length:N0} imagenet32 training images exceed one float32 array; choose a subset with --num-data");
        var trainInputs = new float[indices.Length * ImageNet32Batch.ImageSize];
        var trainLabels = new int[indices.Length];
        Parallel.For(0, indices.Length, k =>
        {
            int b = Array.BinarySearch(starts, (long)indices[k]);
            if (b < 0) b = ~b - 1;
            // equal starts (an empty batch) resolve to the last batch that begins there
            while (b + 1 < batches.Length && starts[b + 1] == indices[k]) b++;
            int row = (int)(indices[k] - starts[b]);
            Planar(batches[b].Image(row), trainInputs.AsSpan(k * ImageNet32Batch.ImageSize, ImageNet32Batch.ImageSize));
            trainLabels[k] = batches[b].Labels[row] - 1;
        });
        var validation = ImageNet32Batch.Read(files[^1]);
        var all = ImageRows.Range(validation.Count);
        return new Dataset(Name, trainInputs, trainLabels, ImageRows.Gather(validation, all, Planar), ImageRows.Labels(validation, all, shift: -1),
            [3, 32, 32], ImageNet32Batch.Classes)
        {
            TrainIndices = indices,
            Source = folder,
            SubsetRule = choice.Rule,
        };
    }

    public override void Install(FileCandidates candidates, string target, Action<string> log)
    {
        var validation = candidates.FindFile(ValidationFile) ?? throw new FileNotFoundException($"{Name}: {ValidationFile} not found in {candidates}");
        var batches = Enumerable.Range(1, 10).Select(i => candidates.FindFile(TrainPrefix + i)).OfType<string>().ToArray();
        if (batches.Length == 0) throw new FileNotFoundException($"{Name}: no {TrainPrefix}* files found in {candidates}");
        long images = 0;
        foreach (var file in batches.Append(validation))
        {
            var batch = ImageNet32Batch.Read(file);
            log($"{Name}: {Path.GetFileName(file)}: {batch.Count:N0} images");
            if (file != validation) images += batch.Count;
            candidates.Place(file, Path.Combine(target, Path.GetFileName(file)));
        }
        if (batches.Length != 10) log($"{Name}: note: {batches.Length} of the 10 training batches ({images:N0} images)");
    }
}
