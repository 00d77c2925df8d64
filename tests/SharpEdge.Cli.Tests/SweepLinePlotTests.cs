using System.Text.Json;
using SharpEdge.Plots.Tests;
using SharpEdge.Sweeps.Tests;

namespace SharpEdge.Cli.Tests;

/// <summary><c>sweep plot</c> without --y: lines of sweep metrics against one axis, on a sweep written through the store's API.</summary>
public sealed class SweepLinePlotTests : IDisposable
{
    private readonly SyntheticEossSweep sweep = new();

    public void Dispose() => sweep.Dispose();

    private CliRunner.Result Plot(params string[] args) =>
        CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = sweep.Results }, ["sweep", "plot", .. args]);

    [Fact]
    public void Lines_per_batch_size_print_the_mean_and_standard_error_of_each_point_and_are_drawn()
    {
        var r = Plot("eoss", "--x", "lr", "--series", "batch", "--value", "lambda_max,batch_sharpness", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(("lr", "batch", false), (root.GetProperty("x").GetString(), root.GetProperty("series").GetString(), root.GetProperty("normalized").GetBoolean()));
        var points = root.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(8, points.Count);
        foreach (var p in points)
        {
            string metric = p.GetProperty("metric").GetString()!;
            double lr = p.GetProperty("x").GetDouble();
            int batch = (int)p.GetProperty("series").GetDouble();
            bool partial = metric == "batch_sharpness" && lr == 0.1 && batch == 16;   // one seed did not record it
            var seeds = Enumerable.Range(0, partial ? 2 : 3)
                .Select(s => metric == "lambda_max" ? SyntheticEossSweep.LambdaMax(lr, batch, s) : SyntheticEossSweep.BatchSharpness(lr, batch, s)).ToArray();
            double mean = seeds.Average();
            double se = Math.Sqrt(seeds.Sum(v => (v - mean) * (v - mean)) / (seeds.Length - 1) / seeds.Length);
            Assert.Equal(mean, p.GetProperty("mean").GetDouble(), 12);
            Assert.Equal(se, p.GetProperty("se").GetDouble(), 12);
            Assert.Equal(seeds.Length, p.GetProperty("n").GetInt32());
            Assert.Equal(2 / lr, p.GetProperty("threshold").GetDouble(), 12);
        }

        var path = root.GetProperty("figure").GetString()!;
        Assert.Equal(Path.Combine(sweep.Results, "sweeps", "eoss", "lambda_max+batch_sharpness_lr_by_batch.png"), path);
        using var raster = new Raster(File.ReadAllBytes(path));
        Assert.Equal((900, 520), (raster.Width, raster.Height));
        // the two batch sizes in the first two colours of the cycle
        Assert.True(Inked(raster, "#1f77b4") > 300, "no line of batch 8");
        Assert.True(Inked(raster, "#ff7f0e") > 300, "no line of batch 16");
    }

    [Fact]
    public void Normalised_values_are_divided_by_each_tasks_threshold()
    {
        var svg = Path.Combine(sweep.Root, "norm.svg");
        var r = Plot("eoss", "--x", "batch", "--value", "lambda-max", "--normalize", "--out", svg, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("<svg", File.ReadAllText(svg));
        using var doc = JsonDocument.Parse(r.Stdout);
        var points = doc.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal([8.0, 16], points.Select(p => p.GetProperty("x").GetDouble()));
        foreach (var p in points)
        {
            int batch = (int)p.GetProperty("x").GetDouble();
            // every lr and seed pooled, each divided by its own 2/η
            var values = SyntheticEossSweep.Lrs.SelectMany(lr => Enumerable.Range(0, 3).Select(s => SyntheticEossSweep.LambdaMax(lr, batch, s) * lr / 2)).ToArray();
            Assert.Equal(values.Average(), p.GetProperty("mean").GetDouble(), 12);
            Assert.Equal((6, 1.0), (p.GetProperty("n").GetInt32(), p.GetProperty("threshold").GetDouble()));
            Assert.Equal(JsonValueKind.Null, p.GetProperty("series").ValueKind);
        }
    }

    [Fact]
    public void A_normalised_heatmap_shows_the_median_seed_over_its_threshold()
    {
        var r = Plot("eoss", "--x", "lr", "--y", "batch", "--value", "lambda_max", "--normalize", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.EndsWith("lambda_max_lr_batch_normalized.png", doc.RootElement.GetProperty("figure").GetString());
        var median = doc.RootElement.GetProperty("median");
        for (int j = 0; j < 2; j++)
            for (int i = 0; i < 2; i++)
            {
                double lr = SyntheticEossSweep.Lrs[i];
                int batch = SyntheticEossSweep.Batches[j];
                // the seeds' offsets 0, 1, 5 have median 1
                Assert.Equal(SyntheticEossSweep.LambdaMax(lr, batch, 1) * lr / 2, median[j][i].GetDouble(), 12);
            }
    }

    [Theory]
    [InlineData("sweep eoss has no axis 'eps' (its axes: lr, batch, init-seed)", "eoss", "--x", "eps", "--value", "lambda_max")]
    [InlineData("sweep eoss has no axis 'width'", "eoss", "--x", "lr", "--series", "width", "--value", "lambda_max")]
    [InlineData("sweep eoss: no task has a value of 'sharpnes': run 1 has no metric 'sharpnes'", "eoss", "--x", "lr", "--value", "lambda_max,sharpnes")]
    [InlineData("sweep empty: no task is done yet", "empty", "--x", "lr", "--value", "lambda_max")]
    [InlineData("--series draws lines and --y a heatmap; give one of them", "eoss", "--x", "lr", "--y", "batch", "--series", "batch", "--value", "lambda_max")]
    [InlineData("a heatmap shows one value, not 2", "eoss", "--x", "lr", "--y", "batch", "--value", "lambda_max,batch_sharpness")]
    [InlineData("--normalize divides by 2/η, the stability threshold of plain SGD, but run 13 is a phase run", "cells", "--x", "lr", "--value", "lambda_max", "--normalize")]
    public void Bad_requests_are_one_error_line(string message, params string[] args)
    {
        var r = Plot(args);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("sharpedge: error: ", line);
        Assert.Contains(message, line);
    }

    private static int Inked(Raster raster, string colour)
    {
        int count = 0;
        for (int y = 0; y < raster.Height; y++)
            for (int x = 0; x < raster.Width; x++)
                if (raster.IsInk(x, y, colour)) count++;
        return count;
    }
}
