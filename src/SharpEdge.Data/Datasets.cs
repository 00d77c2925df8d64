using SharpEdge.Data.Sources;

namespace SharpEdge.Data;

/// <summary>
/// The data-set registry: every name a command accepts, and loading by name. A loaded set is kept (weakly) per
/// request, so commands that ask for the same set in one process share one copy in memory.
/// </summary>
public static class Datasets
{
    public static IReadOnlyList<DatasetSource> All { get; } =
    [
        new Cifar10Source(),
        new Cifar10TwoClassSource(),
        IdxImageSource.FashionMnist(),
        IdxImageSource.Mnist(),
        new SvhnSource(),
        new Cinic10Source(),
        new ImageNet32Source(),
        new SyntheticGaussianSource(),
        new FashionMnistMiniSource(),
    ];

    public static IEnumerable<string> Names => All.Select(s => s.Name);

    private static readonly Dictionary<string, WeakReference<Dataset>> Cache = new();
    private static readonly object Gate = new();

    /// <summary>The source named <paramref name="name"/>; an unknown name lists the known ones.</summary>
    public static DatasetSource Get(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"unknown data set '{name}' (known: {string.Join(", ", Names)})");

    /// <summary>The whole training split in file order (no subset), from the default data folder.</summary>
    public static Dataset Load(string name) => Load(name, new DataRequest());

    public static Dataset Load(string name, DataRequest request)
    {
        var source = Get(name);
        var folder = source.Location(DataFolder.Resolve(request.DataFolder));
        var key = request.CacheKey(name, folder);
        lock (Gate)
        {
            if (Cache.TryGetValue(key, out var weak) && weak.TryGetTarget(out var cached)) return cached;
        }
        var dataset = source.Load(request, folder);
        lock (Gate) Cache[key] = new WeakReference<Dataset>(dataset);
        return dataset;
    }
}
