using SharpEdge.Data.Subsets;

namespace SharpEdge.Data.Tests;

public class NumpySubsetTests
{
    // eoss_spec §4.4, verified there against numpy 1.24: CIFAR-10, population 50,000
    [Theory]
    [InlineData(111UL, 8192, new[] { 27500, 28827, 33219, 12288, 15620, 39486, 23785, 4953 }, new[] { 36179, 7682, 23714 }, 204_994_869L)]
    [InlineData(1011UL, 8192, new[] { 1787, 41341, 38347, 29447, 10781, 29129, 45070, 18889 }, new[] { 3997, 14205, 14317 }, 206_075_599L)]
    [InlineData(234UL, 8192, new[] { 35897, 36930, 9943, 38460, 36537, 19370, 4765, 39687 }, new[] { 15369, 40020, 22700 }, 203_258_797L)]
    [InlineData(482UL, 4096, new[] { 40117, 6992, 42333, 17809, 22763, 6722, 15869, 44710 }, new[] { 605, 36321, 1173 }, 102_978_784L)]
    [InlineData(888UL, 1024, new[] { 41280, 21210, 1346, 8161, 35846, 21523, 1021, 42784 }, new[] { 40556, 19568, 34833 }, 25_554_673L)]
    [InlineData(888UL, 64, new[] { 28983, 41697, 19061, 3691, 46919, 23358, 29805, 46982 }, new[] { 25077, 28078, 24898 }, 1_484_324L)]
    public void Matches_the_spec_test_vectors(ulong seed, int size, int[] first, int[] last, long sum)
    {
        var chosen = NumpySubset.Choose(seed, 50_000, size);
        Assert.Equal(size, chosen.Length);
        Assert.Equal(first, chosen[..8]);
        Assert.Equal(last, chosen[^3..]);
        Assert.Equal(sum, chosen.Sum(i => (long)i));
        Assert.Equal(size, chosen.Distinct().Count());
    }

    [Fact]
    public void Full_draw_is_a_permutation_and_empty_draw_is_empty()
    {
        var all = NumpySubset.Choose(7, 20_000, 20_000);
        Assert.Equal(Enumerable.Range(0, 20_000), all.Order());
        Assert.Empty(NumpySubset.Choose(7, 100, 0));
        Assert.Throws<ArgumentException>(() => NumpySubset.Choose(7, 100, 101));
    }

    [SkippableFact]
    public void Matches_numpy_on_both_paths_and_large_seeds()
    {
        Skip.IfNot(PythonNumpy.Available, "python3 with numpy is not installed");
        // (seed, population, size): tail path, Floyd path (small population or small size), a seed above 2^32
        var cases = new (ulong Seed, int Population, int Size)[]
        {
            (0, 60_000, 8192), (1, 73_257, 5000), (42, 4096, 2048), (888, 4096, 4096), (5, 9000, 9000),
            (12345, 50_000, 999), (12345, 50_000, 1001), (8_589_934_597UL, 50_000, 3000), (3, 10_001, 201), (9, 17, 5),
        };
        var code = "import numpy as np\n" + string.Join("", cases.Select(c =>
            $"print(','.join(map(str, np.random.default_rng({c.Seed}).choice({c.Population}, {c.Size}, replace=False))))\n"));
        var lines = PythonNumpy.Run(code).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int k = 0; k < cases.Length; k++)
        {
            var expected = lines[k].Split(',').Select(int.Parse).ToArray();
            Assert.Equal(expected, NumpySubset.Choose(cases[k].Seed, cases[k].Population, cases[k].Size));
        }
    }

    [SkippableFact]
    public void Pcg64_raw_output_and_seed_sequence_match_numpy()
    {
        Skip.IfNot(PythonNumpy.Available, "python3 with numpy is not installed");
        var lines = PythonNumpy.Run("""
            import numpy as np
            print(','.join(map(str, np.random.PCG64(888).random_raw(5))))
            print(','.join(map(str, np.random.SeedSequence(2**40 + 3).generate_state(6))))
            """).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var bits = new Pcg64(888);
        Assert.Equal(lines[0].Split(',').Select(ulong.Parse), Enumerable.Range(0, 5).Select(_ => bits.NextUInt64()));
        Assert.Equal(lines[1].Split(',').Select(uint.Parse), new SeedSequence((1UL << 40) + 3).GenerateState(6));
    }

    [Fact]
    public void Two_class_rule_takes_the_first_half_of_each_class_sorted()
    {
        int[] labels = [1, 9, 3, 9, 1, 1, 9, 1, 9, 0];
        Assert.Equal(new[] { 0, 1, 3, 4 }, TwoClassSubset.Select(labels, 1, 9, perClass: 2));
        Assert.Equal(new[] { 0, 1, 3, 4, 5, 6, 7, 8 }, TwoClassSubset.Select(labels, 1, 9, int.MaxValue));
    }
}
