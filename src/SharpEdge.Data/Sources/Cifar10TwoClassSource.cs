using SharpEdge.Data.Formats;
using SharpEdge.Data.Subsets;

namespace SharpEdge.Data.Sources;

/// <summary>
/// The original's two-class CIFAR-10 (eoss_spec §4.2, §4.3): classes <c>--classes A B</c> (default 1, 9:
/// automobile and truck), training set the first <c>num_data // 2</c> images of each class in file order,
/// concatenated and sorted (the seed is not used), test set every test image of the two classes. One output
/// with targets +1 for A and −1 for B; cross-entropy is refused, as in the original. Reads cifar10's files.
/// </summary>
public sealed class Cifar10TwoClassSource : Cifar10Source
{
    public override string Name => "cifar10_2cls";
    public override string Description => "two CIFAR-10 classes (--classes, default 1 9), plus/minus 1 targets, deterministic subset; reads the cifar10 files";

    public override Dataset Load(DataRequest request, string folder)
    {
        int a = request.FirstClass, b = request.SecondClass;
        if (a is < 0 or >= CifarBatch.Classes || b is < 0 or >= CifarBatch.Classes || a == b)
            throw new ArgumentException($"--classes must be two different CIFAR-10 classes in 0..9, got {a} {b}");
        if (request.NumData < 0) throw new ArgumentException($"--num-data must be non-negative, got {request.NumData}");
        var (train, test) = ReadSplits(folder);
        // 0 keeps both classes whole (the original would keep none)
        int perClass = request.NumData == 0 ? int.MaxValue : request.NumData / 2;
        var trainIndices = TwoClassSubset.Select(train.Labels, a, b, perClass);
        var testIndices = TwoClassSubset.Select(test.Labels, a, b, int.MaxValue);
        return new Dataset(Name, ImageRows.Gather(train, trainIndices, Planar), TwoClassLabels(train, trainIndices, a),
            ImageRows.Gather(test, testIndices, Planar), TwoClassLabels(test, testIndices, a), [3, 32, 32], 2, TargetEncoding.PlusMinusOne)
        {
            TrainIndices = trainIndices,
            Source = folder,
            SubsetRule = $"first {(perClass == int.MaxValue ? "all" : perClass.ToString())} training images of classes {a} and {b}, sorted (seed unused)",
        };
    }

    /// <summary>Label 0 for the first class (target +1), 1 for the second (target −1).</summary>
    private static int[] TwoClassLabels(LabelledImages images, int[] indices, int first) =>
        indices.Select(i => images.Labels[i] == first ? 0 : 1).ToArray();
}
