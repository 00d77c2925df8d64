namespace SharpEdge.Data.Subsets;

/// <summary>
/// The EoSS training subset: <c>np.random.default_rng(dataset_seed).choice(population, num_data, replace=False)</c>,
/// indices kept in the order numpy returns them (eoss_spec §4.2, §4.4). The order matters: it is the sample
/// order of the data set, and so of every batch schedule built on it.
/// </summary>
public static class NumpySubset
{
    public static int[] Choose(ulong datasetSeed, int population, int numData) =>
        new NumpyGenerator(datasetSeed).ChooseWithoutReplacement(population, numData);

    public static string Describe(ulong datasetSeed, int population, int numData) =>
        $"numpy default_rng({datasetSeed}).choice({population}, {numData}, replace=False)";
}
