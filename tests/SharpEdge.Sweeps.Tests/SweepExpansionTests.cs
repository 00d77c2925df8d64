namespace SharpEdge.Sweeps.Tests;

public class SweepExpansionTests
{
    private static SweepSpec Spec(string yaml) => SweepSpecReader.Parse(yaml);

    [Fact]
    public void Tasks_are_the_product_of_the_axes_with_the_seed_axis_innermost()
    {
        var tasks = SweepExpansion.Expand(Spec(
            "{name: p, command: train, args: {steps: 10}, grid: {lr: [0.1, 0.2], batch: [8, 16, 32]}, zip: [{momentum: [0, 0.9], optimizer: [sgd, momentum]}], seeds: {init-seed: [1, 2]}}"));
        var expected = new List<string>();
        foreach (var lr in new[] { "0.1", "0.2" })
            foreach (var batch in new[] { "8", "16", "32" })
                foreach (var (m, o) in new[] { ("0", "sgd"), ("0.9", "momentum") })
                    foreach (var seed in new[] { "1", "2" })
                        expected.Add($"lr={lr} batch={batch} momentum={m} optimizer={o} init-seed={seed}");
        Assert.Equal(expected, tasks.Select(t => t.Label));
        Assert.Equal(Enumerable.Range(0, 24), tasks.Select(t => t.Position));
        // flags sorted by name, fixed ones included
        Assert.Equal(["--batch", "8", "--init-seed", "1", "--lr", "0.1", "--momentum", "0", "--optimizer", "sgd", "--steps", "10"], tasks[0].Args);
        Assert.Equal(24, tasks.Select(t => t.Key).Distinct().Count());
    }

    [Fact]
    public void Keys_depend_on_the_task_not_on_how_the_spec_is_written()
    {
        var a = SweepExpansion.Expand(Spec("{name: a, command: train, args: {steps: 10, model: mlp}, grid: {lr: [0.1, 0.2]}}"));
        var b = SweepExpansion.Expand(Spec("{name: b, command: train, args: {model: mlp, steps: 10.0}, grid: {lr: [0.2, 0.10]}}"));
        Assert.Equal(a.Select(t => t.Key).Order(), b.Select(t => t.Key).Order());
        var c = SweepExpansion.Expand(Spec("{name: c, command: train, args: {steps: 11, model: mlp}, grid: {lr: [0.1, 0.2]}}"));
        Assert.Empty(a.Select(t => t.Key).Intersect(c.Select(t => t.Key)));
        Assert.Equal(SweepTask.KeyOf("train", a[0].Args), a[0].Key);
        Assert.NotEqual(SweepTask.KeyOf("phase train", a[0].Args), a[0].Key);
    }

    [Fact]
    public void A_task_that_appears_twice_is_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => SweepExpansion.Expand(Spec("{name: d, command: train, grid: {lr: [1, 2, 1.0]}}")));
        Assert.Contains("#0 (lr=1) and #2 (lr=1) are the same task", e.Message);
    }

    [Fact]
    public void A_spec_without_axes_is_one_task()
    {
        var task = Assert.Single(SweepExpansion.Expand(Spec("{name: one, command: phase train, args: {lr: 2, out: o}}")));
        Assert.Equal(["--lr", "2", "--out", "o"], task.Args);
        Assert.Equal("{}", task.AxesJson());
    }
}
