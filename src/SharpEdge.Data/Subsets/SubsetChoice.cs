namespace SharpEdge.Data.Subsets;

/// <summary>The training samples a rule picked, in order, with the rule in words for run metadata.</summary>
public sealed record SubsetChoice(int[] Indices, string Rule)
{
    public static SubsetChoice All(int population) =>
        new(Enumerable.Range(0, population).ToArray(), $"all {population} training samples in file order");

    public static SubsetChoice Numpy(ulong seed, int population, int size) =>
        new(NumpySubset.Choose(seed, population, size), NumpySubset.Describe(seed, population, size));
}
