using SharpEdge.Data.Download;
using SharpEdge.Data.Installation;
using SharpEdge.Data.Subsets;

namespace SharpEdge.Data.Sources;

/// <summary>
/// One named data set: where its files live, how to read them into a <see cref="Dataset"/> (subset rule,
/// normalisation, targets), and how to install them from local files or official downloads.
/// </summary>
public abstract class DatasetSource
{
    public abstract string Name { get; }

    /// <summary>One line for <c>data list</c>.</summary>
    public abstract string Description { get; }

    /// <summary>The subfolder of the data root (cifar10_2cls shares cifar10's).</summary>
    public virtual string FolderName => Name;

    /// <summary>Files that <c>data fetch</c> downloads; empty when it cannot (see <see cref="FetchUnavailable"/>).</summary>
    public virtual IReadOnlyList<RemoteFile> Downloads => [];

    /// <summary>Why <c>data fetch</c> cannot get this set, or null when it can.</summary>
    public virtual string? FetchUnavailable => Downloads.Count == 0 ? "no official download is known" : null;

    /// <summary>True for sets that need no files (synthetic) or ship with the binaries (fmnist-mini).</summary>
    public virtual bool NeedsInstall => true;

    /// <summary>The folder this set is read from, given the data root.</summary>
    public virtual string Location(string dataRoot) => Path.Combine(dataRoot, FolderName);

    /// <summary>The files that make up the set in <paramref name="folder"/>; throws <see cref="DataNotInstalledException"/> when any is missing.</summary>
    public abstract IReadOnlyList<string> Find(string folder);

    public abstract Dataset Load(DataRequest request, string folder);

    /// <summary>
    /// Finds this set's files among <paramref name="candidates"/> (folders are searched, files matched by name),
    /// checks each by reading it, and places them in the layout <see cref="Find"/> expects under
    /// <paramref name="target"/>, an empty staging folder.
    /// </summary>
    public abstract void Install(FileCandidates candidates, string target, Action<string> log);

    /// <summary>What to tell a user whose files are missing.</summary>
    public virtual string InstallHint =>
        FetchUnavailable is null
            ? $"run `sharpedge data fetch {Name}` to download it, or `sharpedge data import {Name} PATH` to install local files"
            : $"{FetchUnavailable}; run `sharpedge data import {Name} PATH` with the files";

    protected DataNotInstalledException Missing(string folder, string expected) =>
        new(Name, folder, expected, InstallHint);

    /// <summary>
    /// The rule of cifar10 and fmnist, which always draw <c>choice(population, num_data)</c>; here 0 keeps every
    /// sample in file order instead (the original would draw an empty set), and more than the population is an error.
    /// </summary>
    protected static SubsetChoice AlwaysChoose(string name, DataRequest request, int population)
    {
        if (request.NumData < 0) throw new ArgumentException($"--num-data must be non-negative, got {request.NumData}");
        if (request.NumData > population)
            throw new ArgumentException($"--num-data {request.NumData} exceeds the {population:N0} training samples of {name}");
        return request.NumData == 0 ? SubsetChoice.All(population) : SubsetChoice.Numpy(request.DatasetSeed, population, request.NumData);
    }

    /// <summary>
    /// The rule of svhn (<c>0 &lt; n ≤ len</c>) and imagenet32 (<c>0 &lt; n &lt; len</c>): draw when n is in range,
    /// otherwise keep the whole training split.
    /// </summary>
    protected static SubsetChoice ChooseIfInRange(DataRequest request, int population, bool allowFull)
    {
        if (request.NumData < 0) throw new ArgumentException($"--num-data must be non-negative, got {request.NumData}");
        bool draw = request.NumData > 0 && (allowFull ? request.NumData <= population : request.NumData < population);
        return draw ? SubsetChoice.Numpy(request.DatasetSeed, population, request.NumData) : SubsetChoice.All(population);
    }
}
