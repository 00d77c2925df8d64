namespace SharpEdge.Sweeps.Tests;

public class SweepSpecReaderTests
{
    [Fact]
    public void The_issue_example_reads_as_a_phase_train_grid()
    {
        var spec = SweepSpecReader.Parse("{name: tiny, command: phase train, args: {epochs: 20, seeds: 2, out: runs/tiny}, grid: {lr: [1, 2], eps: [1, 2]}}");
        Assert.Equal("tiny", spec.Name);
        Assert.Equal(["phase", "train"], spec.CommandWords);
        Assert.Equal([("epochs", "20"), ("seeds", "2"), ("out", "runs/tiny")], spec.Args.Select(a => (a.Key, a.Value!)));
        Assert.Equal(2, spec.Axes.Count);
        Assert.Equal(["lr"], spec.Axes[0].Keys);
        Assert.Equal(["1", "2"], spec.Axes[1].Values[0]);
        Assert.Equal(1, spec.Retries);
    }

    [Fact]
    public void Ranges_give_the_exact_grid_values()
    {
        var spec = SweepSpecReader.Parse(
            """
            name: ranges
            command: train
            grid:
              lr: {log: [0.125, 256], factor: 2}
              batch: {log: [1, 1000], num: 4}
              init-scale: {linear: [0.1, 0.3], num: 3}
            seeds:
              init-seed: {count: 3, start: 7}
              order-seed: [1, 2, 3]
            retries: 0
            slurm: {time: "00:10:00", mem: 2G, gres: "gpu:1", qos: long, constraint: h100, max-array-size: 50}
            """);
        // the paper's phase grid, 0.125·2^j for j = 0…11, exactly
        Assert.Equal(Enumerable.Range(0, 12).Select(j => AxisValues.Format(0.125 * Math.Pow(2, j))), spec.Axes[0].Values[0]);
        Assert.Equal(["1", "10", "100", "1000"], spec.Axes[1].Values[0]);
        Assert.Equal(["0.1", "0.2", "0.3"], spec.Axes[2].Values[0]);
        var seeds = spec.Axes[3];
        Assert.True(seeds.IsSeed);
        Assert.Equal(["init-seed", "order-seed"], seeds.Keys);
        Assert.Equal(["7", "8", "9"], seeds.Values[0]);
        Assert.Equal(0, spec.Retries);
        Assert.Equal(("00:10:00", "2G", 50), (spec.Slurm.Time, spec.Slurm.Memory, spec.Slurm.MaxArraySize));
        Assert.Equal(("gpu:1", "long", "h100"), (spec.Slurm.Gres, spec.Slurm.Qos, spec.Slurm.Constraint));
        // the command line's settings win over the spec's, one by one
        var merged = new SlurmSettings { Gres = "gpu:2" }.Over(spec.Slurm);
        Assert.Equal(("gpu:2", "long", "h100", "00:10:00"), (merged.Gres, merged.Qos, merged.Constraint, merged.Time));
    }

    [Fact]
    public void Numbers_are_canonical_and_true_is_a_bare_flag()
    {
        var spec = SweepSpecReader.Parse("{name: n, command: train, args: {lr: 1.0, steps: 1e3, name: '1.0', stop-loss: 0.000010, verbose: true, off: false}}");
        Assert.Equal([("lr", "1"), ("steps", "1000"), ("name", "1.0"), ("stop-loss", "1E-05"), ("verbose", null)],
            spec.Args.Select(a => (a.Key, a.Value)));
    }

    [Theory]
    [InlineData("{name: x, command: train, grid: {lr: []}}", "line 1: grid.lr: empty axis")]
    [InlineData("{name: x, command: train, grid: {lr: [1]}, color: red}", "color: unknown key")]
    [InlineData("{name: x, command: train, grid: {lr: [1]}, slurm: {gpus: 1}}", "gpus")]
    [InlineData("{name: x, command: measure}", "'measure' cannot be swept")]
    [InlineData("{name: x, command: train, args: {threads: 2}}", "--threads is set by the sweep")]
    [InlineData("{name: x, command: train, args: {lr: 1}, grid: {lr: [1, 2]}}", "--lr is already given in args")]
    [InlineData("{name: x, command: train, zip: [{lr: [1, 2], batch: [8]}]}", "lists of the same length, got lr: 2, batch: 1")]
    [InlineData("{name: x, command: train, grid: {lr: {log: [0, 1], num: 3}}}", "0 < low")]
    [InlineData("{name: 'a b', command: train}", "not a sweep name")]
    [InlineData("{command: train}", "missing 'name:'")]
    [InlineData("{name: x, command: train, args: {lr: [1, 2]}}", "put lists of values under grid")]
    [InlineData("name: [x", "not valid YAML")]
    public void Bad_specs_are_one_message_naming_the_place(string yaml, string message)
    {
        var e = Assert.Throws<FormatException>(() => SweepSpecReader.Parse(yaml, "s.yaml"));
        Assert.StartsWith("s.yaml", e.Message);
        Assert.Contains(message, e.Message);
    }
}
