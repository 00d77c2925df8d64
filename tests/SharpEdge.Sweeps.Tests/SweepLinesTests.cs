namespace SharpEdge.Sweeps.Tests;

public sealed class SweepLinesTests : IDisposable
{
    private readonly SyntheticEossSweep sweep = new();

    public void Dispose() => sweep.Dispose();

    private IReadOnlyList<LinePoint> Lines(string x, string? series, bool normalize, params string[] metrics)
    {
        using var store = sweep.Open();
        return SweepLines.Summarise(SweepLines.Collect(store, FinishedTasks.Load(store, "eoss"), metrics, x, series, normalize));
    }

    private Exception Fails(string name, string x, string? series, bool normalize, params string[] metrics)
    {
        using var store = sweep.Open();
        return Assert.Throws<ArgumentException>(() => SweepLines.Collect(store, FinishedTasks.Load(store, name), metrics, x, series, normalize));
    }

    [Fact]
    public void Each_point_is_the_mean_and_standard_error_over_its_seeds()
    {
        // seeds add 0, 1, 5: mean 2, sample variance ((−2)² + (−1)² + 3²)/2 = 7, standard error √(7/3)
        double se3 = Math.Sqrt(7.0 / 3);
        var points = Lines("lr", "batch", false, "lambda_max", "batch_sharpness");
        Assert.Equal(8, points.Count);
        Assert.Equal(
            [("lambda_max", 8.0, 0.05), ("lambda_max", 8, 0.1), ("lambda_max", 16, 0.05), ("lambda_max", 16, 0.1),
             ("batch_sharpness", 8, 0.05), ("batch_sharpness", 8, 0.1), ("batch_sharpness", 16, 0.05), ("batch_sharpness", 16, 0.1)],
            points.Select(p => (p.Metric, p.Series!.Value, p.X)));
        var lambda = points.Single(p => p.Metric == "lambda_max" && p.Series == 16 && p.X == 0.1);
        Assert.Equal((16 + 2.0, 3), (lambda.Mean, lambda.Count));   // 0.1·16/0.1 + 2
        Assert.Equal(se3, lambda.StandardError, 12);
        Assert.Equal(20, lambda.Threshold);
        var sharpness = points.Single(p => p.Metric == "batch_sharpness" && p.Series == 8 && p.X == 0.05);
        Assert.Equal((40 + 1.0, 3), (sharpness.Mean, sharpness.Count));   // 2/0.05 + half of 2
        Assert.Equal(se3 / 2, sharpness.StandardError, 12);
        // the task without batch sharpness leaves two seeds, offsets 0 and 0.5: mean 20.25, s.e. |0.5 − 0|/2 = 0.25
        var partial = points.Single(p => p.Metric == "batch_sharpness" && p.Series == 16 && p.X == 0.1);
        Assert.Equal((20.25, 2), (partial.Mean, partial.Count));
        Assert.Equal(0.25, partial.StandardError, 12);
    }

    [Fact]
    public void Normalising_divides_each_task_by_its_own_threshold()
    {
        // x = batch, lr pooled: each point mixes lr 0.05 and 0.1, so only normalised values share a threshold
        var raw = Lines("batch", null, false, "lambda_max");
        Assert.All(raw, p => Assert.Null(p.Threshold));
        var points = Lines("batch", null, true, "lambda_max");
        Assert.Equal([8.0, 16], points.Select(p => p.X));
        Assert.All(points, p => Assert.Equal((1.0, 6), (p.Threshold!.Value, p.Count)));
        // batch 8: (0.8/lr + offset)·lr/2 = 0.4 + offset·lr/2 for lr ∈ {0.05, 0.1} and offsets {0, 1, 5}
        double[] values = [0.4, 0.4 + 0.025, 0.4 + 0.125, 0.4, 0.4 + 0.05, 0.4 + 0.25];
        Assert.Equal(values.Average(), points[0].Mean, 12);
        double mean = values.Average();
        Assert.Equal(Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / 5 / 6), points[0].StandardError, 12);
    }

    [Fact]
    public void Summarise_leaves_out_values_that_are_not_finite()
    {
        var points = SweepLines.Summarise([
            new LineSample("m", 1, null, 1, 2), new LineSample("m", 1, null, 2, 2), new LineSample("m", 1, null, 4, 2),
            new LineSample("m", 1, null, double.NaN, 2),                                     // a diverged seed
            new LineSample("m", 2, null, 3, 1), new LineSample("m", 2, null, 5, 0.5),         // two learning rates: no shared 2/η
            new LineSample("m", 3, null, double.NaN, 1),
        ]);
        Assert.Equal((7 / 3.0, 3, 2.0), (points[0].Mean, points[0].Count, points[0].Threshold!.Value));
        Assert.Equal(Math.Sqrt(7) / 3, points[0].StandardError, 12);   // deviations −4/3, −1/3, 5/3: variance 7/3, over 3
        Assert.Null(points[1].Threshold);
        Assert.Equal((4.0, 1.0), (points[1].Mean, points[1].StandardError));
        Assert.True(double.IsNaN(points[2].Mean) && double.IsNaN(points[2].StandardError) && points[2].Count == 0);
        Assert.True(double.IsNaN(SweepLines.StandardError([3.0])));
    }

    [Theory]
    [InlineData(null, null, 20.0, null)]
    [InlineData("sgd", 0.0, 20.0, null)]
    [InlineData("sgd", 0.9, null, "trains with momentum 0.9")]
    [InlineData("adam", null, null, "trains with adam")]
    public void Only_plain_sgd_has_the_threshold_two_over_eta(string? optimizer, double? momentum, double? threshold, string? reason)
    {
        var config = new System.Text.Json.Nodes.JsonObject { ["lr"] = 0.1 };
        if (optimizer is not null) config["optimizer"] = optimizer;
        if (momentum is not null) config["momentum"] = momentum;
        var task = new FinishedTask(new SharpEdge.Runs.RunRecord { Name = "r", Kind = "train", Config = config }, new Dictionary<string, string>());
        Assert.Equal((threshold, reason), (task.StabilityThreshold, task.NoThresholdReason));
    }

    [Fact]
    public void Bad_requests_are_one_clear_error()
    {
        Assert.Contains("no task has a value of 'sharpness': run", Fails("eoss", "lr", null, false, "lambda_max", "sharpness").Message);
        Assert.Contains("(it has batch_sharpness, lambda_max)", Fails("eoss", "lr", null, false, "sharpness").Message);
        Assert.Equal("sweep eoss has no axis 'eps' (its axes: lr, batch, init-seed)", Fails("eoss", "eps", null, false, "lambda_max").Message);
        Assert.Equal("sweep eoss has no axis 'width' (its axes: lr, batch, init-seed)", Fails("eoss", "lr", "width", false, "lambda_max").Message);
        Assert.Contains("axis 'lr' cannot be drawn twice", Fails("eoss", "lr", "lr", false, "lambda_max").Message);
        Assert.Contains("but run 13 is a phase run", Fails("cells", "lr", null, true, "lambda_max").Message);
        Assert.Equal("sweep empty: no task is done yet (see `sharpedge sweep status empty`)",
            Assert.Throws<ArgumentException>(() => { using var store = sweep.Open(); FinishedTasks.Load(store, "empty"); }).Message);
    }
}
