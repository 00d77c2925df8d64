using System.Text.Json.Nodes;
using SharpEdge.Curvature;
using SharpEdge.Nn;
using SharpEdge.Numerics;
using SharpEdge.Runs;
using static SharpEdge.Training.Tests.DoubleProblem;
using static SharpEdge.Training.Tests.TrainedReference;
using SharpEdge.Tests;

namespace SharpEdge.Training.Tests;

public sealed class FinalAndTrajectoryTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static TrainingConfig Tiny => new()
    {
        Model = "mlp:784-4-10:tanh", NumData = 128, LearningRate = 0.05, BatchSize = 8, Steps = 12, CheckpointEvery = 5, TrajectoryEvery = "5", Final = true,
    };

    [Fact]
    public void Trajectory_records_are_P_theta_of_their_step_computed_directly()
    {
        using var store = RunStore.Open(temp.Path);
        var run = TrainingRun.Start(store, temp.Path, Tiny);
        var r = new TrainedReference(Tiny, run.Folder);
        var (steps, rows) = TrajectoryFolder.Read(run.Folder);
        Assert.Equal([0, 5, 10, 12], steps);
        var projection = new SparseRandomProjection(r.Trainer.Network.ParameterCount);   // HEAD's: 5000 rows, seed 1337
        var norms = store.Metrics(run.RunId, TrajectoryFolder.Metric);
        Assert.Equal(steps, norms.Select(m => m.Step));
        for (int k = 0; k < steps.Length; k++)
        {
            var theta = r.At(steps[k]).Theta;
            var expected = new double[SparseRandomProjection.DefaultDimension];
            for (int j = 0; j < theta.Length; j++)
                for (int t = 0; t < SparseRandomProjection.NonZeros; t++) expected[projection.Row(j, t)] += projection.Entry(j, t) * theta[j];
            Assert.Equal(expected.Length, rows[k].Length);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], rows[k][i], 1e-6 * (1 + Math.Abs(expected[i])));
            Assert.Equal(Norm(expected), norms[k].Value, 1e-9 * Norm(expected));
        }
        var description = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, "trajectory", "projection.json")))!;
        Assert.Equal(5000, description["rows"]!.GetValue<int>());
        Assert.Equal(1337, description["seed"]!.GetValue<int>());
    }

    [Fact]
    public void Final_json_holds_the_last_steps_values_which_equal_direct_computations_at_the_final_theta()
    {
        using var store = RunStore.Open(temp.Path);
        var run = TrainingRun.Start(store, temp.Path, Tiny with { Measure = "top-k=3@4" });
        var r = new TrainedReference(Tiny, run.Folder);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, FinalReport.FileName)))!;
        Assert.Equal(12, json["step"]!.GetValue<long>());
        Assert.Equal(128, json["dataset_size"]!.GetValue<int>());

        // no extra steps: the final θ is the final checkpoint's and final.safetensors'
        var theta = new float[r.Trainer.Network.ParameterCount];
        ParameterFile.Read<float>(Path.Combine(run.Folder, "final.safetensors"), r.Trainer.Network.Layout, theta);
        Assert.Equal(theta, r.At(12).Theta);
        var wide = Wide(theta);

        // λ_max and top-3 of the full-data Hessian (float64 Lanczos to 1e-8), the full loss and accuracy
        var full = r.Full();
        full.Linearize(wide, new double[wide.Length]);
        var exact = EigenSolvers.TopK(new HessianOperator<double>(full), 3, new EigenOptions { Tolerance = 1e-8, Seed = 5 });
        Assert.Equal(exact.Values[0], json["lambda_max"]!.GetValue<double>(), 1e-4 * exact.Values[0]);
        Assert.Equal(exact.Values, json["eigenvalues"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray(), new RelativeComparer(1e-4 * exact.Values[0]));
        Assert.Equal(3, json["num_eigenvalues"]!.GetValue<int>());
        Assert.Equal(full.Evaluate(wide, out var accuracy), json["full_loss"]!.GetValue<double>(), 1e-5);
        Assert.Equal(accuracy, json["full_accuracy"]!.GetValue<double>());

        // batch sharpness E_B[g_BᵀH_Bg_B/‖g_B‖²]: our own Monte Carlo over uniform batches agrees within the standard errors
        var rng = new Rng(77);
        var moments = new List<double>();
        var indices = Enumerable.Range(0, 128).ToArray();
        for (int k = 0; k < 400; k++)
        {
            rng.Shuffle(indices.AsSpan());
            var batch = new Objective<double>(r.Network, r.Loss, r.Data.Gather(indices[..8]));
            var g = Gradient(batch, wide);
            var hg = new double[g.Length];
            batch.HessianVectorProduct(g, hg);
            moments.Add(Dot(g, hg) / Dot(g, g));
        }
        var mean = moments.Average();
        var se = Math.Sqrt(moments.Sum(x => (x - mean) * (x - mean)) / (moments.Count - 1) / moments.Count);
        var stored = json["batch_sharpness"]!.GetValue<double>();
        var storedSe = json["batch_sharpness_se"]!.GetValue<double>();
        Assert.InRange(Math.Abs(stored - mean), 0, 4 * Math.Sqrt(se * se + storedSe * storedSe));

        // the final-only measurements are stored at the last step only, and final.json lists every value of that step
        Assert.Equal([12], store.Metrics(run.RunId, "batch_sharpness").Select(m => m.Step));
        Assert.Equal([12], store.Metrics(run.RunId, "lambda_max").Select(m => m.Step));
        Assert.Equal([0, 4, 8, 12], store.Metrics(run.RunId, "top_k_1").Select(m => m.Step));
        var lastStep = store.Metrics(run.RunId).Where(m => m.Step == 12).Select(m => m.Name).Order(StringComparer.Ordinal);
        Assert.Equal(lastStep, json["metrics"]!.AsObject().Select(kv => kv.Key));
    }

    private sealed class RelativeComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
