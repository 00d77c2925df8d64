using SharpEdge.Data.Download;
using SharpEdge.Data.Formats;
using SharpEdge.Data.Installation;

namespace SharpEdge.Data.Sources;

/// <summary>
/// SVHN, cropped digits (Netzer et al. 2011): <c>train_32x32.mat</c> (73,257) and <c>test_32x32.mat</c>
/// (26,032), MAT v5 with <c>X</c> uint8 [32, 32, 3, N] column-major and <c>y</c> 1..10 where 10 means digit 0.
/// As the original (eoss_spec §4.2): subset <c>choice(73257, n)</c> when <c>0 &lt; n ≤ 73257</c>, otherwise the
/// whole training set; test set the first 10,000; x/255 normalised by (0.4377, 0.4438, 0.4728) /
/// (0.1980, 0.2010, 0.1970); (H, W, C) → (C, H, W).
/// </summary>
public sealed class SvhnSource : DatasetSource
{
    public const string TrainFile = "train_32x32.mat", TestFile = "test_32x32.mat";
    private const int TestKept = 10_000;

    public override string Name => "svhn";
    public override string Description => "SVHN cropped digits, 73,257 train, first 10,000 test images 3x32x32, 10 classes (.mat)";

    public override IReadOnlyList<RemoteFile> Downloads { get; } =
    [
        // md5 as torchvision checks them; sizes of the official files
        new(TrainFile, ["http://ufldl.stanford.edu/housenumbers/train_32x32.mat"], Md5: "e26dedcc434d2e4c54c9b2d4a06d8373", Size: 182_040_794),
        new(TestFile, ["http://ufldl.stanford.edu/housenumbers/test_32x32.mat"], Md5: "eb5a983be6a315427106f1b164d9cef3", Size: 64_275_384),
    ];

    public override IReadOnlyList<string> Find(string folder)
    {
        var files = new[] { TrainFile, TestFile }.Select(f => Path.Combine(folder, f)).ToArray();
        return files.All(File.Exists) ? files : throw Missing(folder, $"{TrainFile} and {TestFile}");
    }

    /// <summary>X as per-image column-major planes (pixel (h, w) of channel c at c·1024 + w·32 + h) and y with 10 → 0.</summary>
    public static LabelledImages Read(string path)
    {
        var arrays = MatFile.Read(path);
        if (!arrays.TryGetValue("X", out var x) || !arrays.TryGetValue("y", out var y))
            throw new InvalidDataException($"{path}: expected arrays X and y, found {string.Join(", ", arrays.Keys.DefaultIfEmpty("none"))}");
        if (x.Class != MatClass.UInt8 || x.Dimensions is not [32, 32, 3, var n])
            throw new InvalidDataException($"{path}: X is {x.Class} [{string.Join("x", x.Dimensions)}], expected uint8 [32x32x3xN]");
        var digits = y.ToDoubles();
        if (digits.Length != n) throw new InvalidDataException($"{path}: {n} images but {digits.Length} labels");
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (digits[i] is < 1 or > 10 || digits[i] != Math.Floor(digits[i]))
                throw new InvalidDataException($"{path}: label {digits[i]} of image {i} is outside 1..10");
            labels[i] = digits[i] == 10 ? 0 : (int)digits[i];
        }
        // column-major [32, 32, 3, N]: each image's 3072 bytes are contiguous, so the file's order is kept per image
        return new LabelledImages(x.Bytes, labels, 3 * 32 * 32);
    }

    private static void ColumnMajor(ReadOnlySpan<byte> pixels, Span<float> destination) =>
        ImageNormalization.Svhn.FromColumnMajorPlanes(pixels, destination, 32, 32);

    public override Dataset Load(DataRequest request, string folder)
    {
        var files = Find(folder);
        var train = Read(files[0]);
        var test = Read(files[1]);
        var choice = ChooseIfInRange(request, train.Count, allowFull: true);
        var testKept = ImageRows.Range(Math.Min(TestKept, test.Count));
        return new Dataset(Name, ImageRows.Gather(train, choice.Indices, ColumnMajor), ImageRows.Labels(train, choice.Indices),
            ImageRows.Gather(test, testKept, ColumnMajor), ImageRows.Labels(test, testKept), [3, 32, 32], 10)
        {
            TrainIndices = choice.Indices,
            Source = folder,
            SubsetRule = choice.Rule,
        };
    }

    public override void Install(FileCandidates candidates, string target, Action<string> log)
    {
        foreach (var name in new[] { TrainFile, TestFile })
        {
            var file = candidates.FindFile(name) ?? throw new FileNotFoundException($"{Name}: {name} not found in {candidates}");
            var images = Read(file);
            log($"{Name}: {name}: {images.Count:N0} images");
            candidates.Place(file, Path.Combine(target, name));
        }
    }
}
