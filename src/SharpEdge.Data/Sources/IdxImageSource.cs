using SharpEdge.Data.Download;
using SharpEdge.Data.Formats;
using SharpEdge.Data.Installation;

namespace SharpEdge.Data.Sources;

/// <summary>
/// Fashion-MNIST and MNIST: four IDX files (train/t10k images and labels), raw or gzip, 1×28×28 grey images,
/// 10 classes. Found in the set's folder or torchvision's <c>FashionMNIST/raw</c> / <c>MNIST/raw</c> below it
/// (the original's layout). Subset <c>default_rng(seed).choice(60000, n)</c>; <c>(x/255 − mean)/std</c>.
/// </summary>
public class IdxImageSource(string name, string description, string torchvisionFolder, ImageNormalization normalization,
    IReadOnlyList<RemoteFile> downloads) : DatasetSource
{
    public static readonly string[] FileStems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    public override string Name => name;
    public override string Description => description;
    public override IReadOnlyList<RemoteFile> Downloads => downloads;

    /// <summary>Fashion-MNIST (Xiao, Rasul and Vollgraf 2017); md5 of the official gzip files as torchvision checks them.</summary>
    public static IdxImageSource FashionMnist() => new("fmnist", "Fashion-MNIST, 60,000 train, 10,000 test images 1x28x28, 10 classes (IDX)", "FashionMNIST",
        ImageNormalization.FashionMnist,
    [
        Official("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        Official("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        Official("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        Official("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]);

    private static RemoteFile Official(string file, string md5) =>
        new(file, [$"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/{file}"], Md5: md5);

    /// <summary>MNIST (LeCun et al.); torchvision's mirror first, then the original site; md5 as torchvision checks them.</summary>
    public static IdxImageSource Mnist() => new("mnist", "MNIST, 60,000 train, 10,000 test images 1x28x28, 10 classes (IDX; not in the EoSS code)", "MNIST",
        ImageNormalization.Mnist,
    [
        Mirrored("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        Mirrored("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        Mirrored("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        Mirrored("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]);

    private static RemoteFile Mirrored(string file, string md5) =>
        new(file, [$"https://ossci-datasets.s3.amazonaws.com/mnist/{file}", $"http://yann.lecun.com/exdb/mnist/{file}"], Md5: md5);

    public override IReadOnlyList<string> Find(string folder)
    {
        foreach (var place in new[] { folder, Path.Combine(folder, torchvisionFolder, "raw") })
        {
            var files = FileStems.Select(stem => new[] { stem + ".gz", stem }.Select(f => Path.Combine(place, f)).FirstOrDefault(File.Exists)).ToArray();
            if (files.All(f => f is not null)) return files!;
        }
        throw Missing(folder, $"{string.Join(", ", FileStems)} (raw or .gz)");
    }

    public override Dataset Load(DataRequest request, string folder)
    {
        var files = Find(folder);
        var train = ReadSplit(files[0], files[1]);
        var test = ReadSplit(files[2], files[3]);
        var choice = AlwaysChoose(Name, request, train.Count);
        var testAll = ImageRows.Range(test.Count);
        return new Dataset(Name, ImageRows.Gather(train, choice.Indices, normalization.FromPlanar), ImageRows.Labels(train, choice.Indices),
            ImageRows.Gather(test, testAll, normalization.FromPlanar), ImageRows.Labels(test, testAll), [1, 28, 28], 10)
        {
            TrainIndices = choice.Indices,
            Source = folder,
            SubsetRule = choice.Rule,
        };
    }

    /// <summary>An images file [N, 28, 28] and its labels file [N] with labels 0..9.</summary>
    public static LabelledImages ReadSplit(string imagesPath, string labelsPath)
    {
        var (pixels, shape) = Idx.Read(imagesPath);
        if (shape is not [_, 28, 28]) throw new InvalidDataException($"{imagesPath}: images have shape {string.Join("x", shape)}, expected Nx28x28");
        var (labels, labelShape) = Idx.Read(labelsPath);
        if (labelShape.Length != 1 || labelShape[0] != shape[0])
            throw new InvalidDataException($"{labelsPath}: {string.Join("x", labelShape)} labels for {shape[0]} images in {Path.GetFileName(imagesPath)}");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] > 9) throw new InvalidDataException($"{labelsPath}: label {labels[i]} of image {i} is outside 0..9");
        return new LabelledImages(pixels, labels.Select(b => (int)b).ToArray(), 28 * 28);
    }

    public override void Install(FileCandidates candidates, string target, Action<string> log)
    {
        var found = FileStems.Select(stem => candidates.FindFile(stem + ".gz", stem)
            ?? throw new FileNotFoundException($"{Name}: {stem}(.gz) not found in {candidates}")).ToArray();
        var train = ReadSplit(found[0], found[1]);
        var test = ReadSplit(found[2], found[3]);
        log($"{Name}: {train.Count:N0} training and {test.Count:N0} test images");
        if (train.Count != 60_000 || test.Count != 10_000)
            log($"{Name}: note: the official set has 60,000 and 10,000");
        foreach (var file in found) candidates.Place(file, Path.Combine(target, Path.GetFileName(file)));
    }
}

/// <summary>
/// The Fashion-MNIST subset shipped with the repository (data/fmnist-mini: the first 4,096 training and 1,024
/// test images), read from the copy next to the binaries, so it works on a fresh clone with nothing installed.
/// Same format, normalisation and subset rule as fmnist.
/// </summary>
public sealed class FashionMnistMiniSource() : IdxImageSource("fmnist-mini",
    "shipped Fashion-MNIST subset, 4,096 train, 1,024 test images 1x28x28 (always available)", "FashionMNIST", ImageNormalization.FashionMnist, [])
{
    public override bool NeedsInstall => false;
    public override string? FetchUnavailable => "fmnist-mini ships with SharpEdge; nothing to fetch";
    public override string Location(string dataRoot) => Path.Combine(DataFolder.Shipped, Name);
    public override string InstallHint => "the copy shipped next to the SharpEdge binaries is missing; rebuild SharpEdge (it comes from data/fmnist-mini)";

    public override void Install(FileCandidates candidates, string target, Action<string> log) =>
        throw new InvalidOperationException("fmnist-mini ships with SharpEdge and cannot be replaced; import the full set as fmnist");
}
