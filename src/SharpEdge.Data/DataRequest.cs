namespace SharpEdge.Data;

/// <summary>
/// What to load besides the name: the EoSS options <c>--num-data</c>, <c>--dataset-seed</c> and <c>--classes</c>
/// (eoss_spec §2, §4), the fixed CINIC-10 rule, the synthetic set's shape, and the data folder.
/// </summary>
public sealed record DataRequest
{
    /// <summary>Training samples to keep (<c>--num-data</c>); 0 keeps the whole training split in file order.</summary>
    public int NumData { get; init; }

    /// <summary>Seed of the subset (<c>--dataset-seed</c>, default 888 as in the original).</summary>
    public ulong DatasetSeed { get; init; } = 888;

    /// <summary>The two CIFAR-10 classes of <c>cifar10_2cls</c> (<c>--classes</c>, default 1 9): the first gets +1, the second −1.</summary>
    public int FirstClass { get; init; } = 1;

    public int SecondClass { get; init; } = 9;

    /// <summary>
    /// CINIC-10 only: draw the subset with the numpy rule from the training folder instead of the original's
    /// class-sorted prefix (which holds one class for <c>num_data ≤ 9000</c>, eoss_spec §15.1 item 9).
    /// </summary>
    public bool CinicRandomSubset { get; init; }

    /// <summary>Shape of the synthetic Gaussian set (<see cref="Sources.SyntheticGaussianSource"/>).</summary>
    public SyntheticGaussianSpec Synthetic { get; init; } = new();

    /// <summary>Root of the installed data sets; null means <see cref="DataFolder.Resolve"/>'s default.</summary>
    public string? DataFolder { get; init; }

    /// <summary>A stable text of every field, the key of the in-memory cache.</summary>
    internal string CacheKey(string name, string folder) =>
        $"{name}|{folder}|{NumData}|{DatasetSeed}|{FirstClass}|{SecondClass}|{CinicRandomSubset}|{Synthetic}";
}
