using SharpEdge.Data.Download;
using SharpEdge.Data.Formats;
using SharpEdge.Data.Installation;
using SharpEdge.Data.Subsets;

namespace SharpEdge.Data.Sources;

/// <summary>
/// CINIC-10 (Darlow et al. 2018): <c>train/</c>, <c>valid/</c>, <c>test/</c> in ImageFolder layout, 90,000
/// PNG images of 3×32×32 each, 10 classes. Normalised by ToTensor then mean (0.47889522, 0.47227842,
/// 0.43047404), std (0.24205776, 0.23828046, 0.25874835); test set the whole test folder.
/// <para>
/// Subset, as the original (eoss_spec §4.2): the first <c>num_data</c> images of train, then valid, then test,
/// in ImageFolder order; the seed is not used. Because that order is sorted by class, any
/// <c>num_data ≤ 9000</c> gives airplanes only (§15.1 item 9). <see cref="DataRequest.CinicRandomSubset"/>
/// draws <c>default_rng(seed).choice(90000, n)</c> from the training folder instead.
/// </para>
/// </summary>
public sealed class Cinic10Source : DatasetSource
{
    private static readonly string[] Splits = ["train", "valid", "test"];

    public override string Name => "cinic10";
    public override string Description => "CINIC-10, 90,000 images per split 3x32x32, 10 classes (PNG folders); original class-sorted prefix subset";

    public override IReadOnlyList<RemoteFile> Downloads { get; } =
    [
        // no checksum or size of this archive is known with certainty, so only the archive's contents are checked
        new("CINIC-10.tar.gz", ["https://datashare.ed.ac.uk/bitstream/handle/10283/3192/CINIC-10.tar.gz"]),
    ];

    public override IReadOnlyList<string> Find(string folder)
    {
        var splits = Splits.Select(s => Path.Combine(folder, s)).ToArray();
        return splits.All(Directory.Exists) ? splits : throw Missing(folder, "train/, valid/ and test/ class folders");
    }

    public override Dataset Load(DataRequest request, string folder)
    {
        if (request.NumData < 0) throw new ArgumentException($"--num-data must be non-negative, got {request.NumData}");
        var splits = Find(folder).Select(ImageFolder.Scan).ToArray();
        for (int s = 1; s < splits.Length; s++)
            if (!splits[s].Classes.SequenceEqual(splits[0].Classes))
                throw new InvalidDataException($"{splits[s].Root}: classes {string.Join(", ", splits[s].Classes)} differ from {splits[0].Root}'s");
        var (train, valid, test) = (splits[0], splits[1], splits[2]);
        float[] trainInputs;
        int[] trainLabels, indices;
        string rule;
        if (request.CinicRandomSubset)
        {
            var choice = request.NumData == 0 ? SubsetChoice.All(train.Count) : SubsetChoice.Numpy(request.DatasetSeed, train.Count,
                request.NumData <= train.Count ? request.NumData : throw new ArgumentException($"--num-data {request.NumData} exceeds the {train.Count:N0} training images of cinic10"));
            (indices, rule) = (choice.Indices, choice.Rule + " over train/ (fixed rule)");
            trainInputs = Decode(train, indices);
            trainLabels = indices.Select(i => train.Samples[i].Label).ToArray();
        }
        else
        {
            int pool = train.Count + valid.Count + test.Count;
            int n = request.NumData == 0 ? train.Count : request.NumData;
            if (n > pool) throw new ArgumentException($"--num-data {n} exceeds the {pool:N0} images of cinic10's three folders");
            indices = PrefixSubset.Select(pool, n);
            rule = request.NumData == 0 ? "all of train/ in ImageFolder order" : $"first {n} of train/ + valid/ + test/ in ImageFolder order (original rule, seed unused)";
            trainInputs = new float[n * 3072];
            trainLabels = new int[n];
            int offset = 0;
            foreach (var split in splits)
            {
                int take = Math.Min(split.Count, n - offset);
                if (take <= 0) break;
                var part = ImageRows.Range(take);
                split.Decode(part, 32, 32, ImageNormalization.Cinic10, trainInputs, offset * 3072);
                for (int k = 0; k < take; k++) trainLabels[offset + k] = split.Samples[k].Label;
                offset += take;
            }
        }
        var testAll = ImageRows.Range(test.Count);
        return new Dataset(Name, trainInputs, trainLabels, Decode(test, testAll), testAll.Select(i => test.Samples[i].Label).ToArray(),
            [3, 32, 32], train.Classes.Length)
        {
            TrainIndices = indices,
            Source = folder,
            SubsetRule = rule,
        };
    }

    private static float[] Decode(ImageFolder folder, int[] indices)
    {
        var inputs = new float[indices.Length * 3072];
        folder.Decode(indices, 32, 32, ImageNormalization.Cinic10, inputs);
        return inputs;
    }

    public override void Install(FileCandidates candidates, string target, Action<string> log)
    {
        var root = candidates.FindFolder(f => Splits.All(s => Directory.Exists(Path.Combine(f, s))))
                   ?? throw new FileNotFoundException($"{Name}: no folder with train/, valid/ and test/ found in {candidates}");
        string[]? classes = null;
        foreach (var split in Splits)
        {
            var scan = ImageFolder.Scan(Path.Combine(root, split));
            if (classes is not null && !scan.Classes.SequenceEqual(classes))
                throw new InvalidDataException($"{scan.Root}: classes {string.Join(", ", scan.Classes)} differ from train/'s");
            classes = scan.Classes;
            // decoding 270,000 images would take minutes; one per class catches a wrong folder or format
            var firstOfEach = Enumerable.Range(0, scan.Classes.Length).Select(c => Array.FindIndex(scan.Samples, s => s.Label == c)).Where(i => i >= 0).ToArray();
            scan.Decode(firstOfEach, 32, 32, ImageNormalization.Cinic10, new float[firstOfEach.Length * 3072]);
            log($"{Name}: {split}/: {scan.Count:N0} images in {scan.Classes.Length} classes");
            FileTree.Place(candidates, scan.Root, Path.Combine(target, split));
        }
    }
}
