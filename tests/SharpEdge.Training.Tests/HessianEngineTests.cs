using SharpEdge.Curvature;
using SharpEdge.Nn;
using SharpEdge.Runs;
using SharpEdge.Tests;

namespace SharpEdge.Training.Tests;

/// <summary>
/// <c>train --device cuda</c>'s wiring without a GPU: a Hessian engine given through the hooks (here one that counts its
/// calls and applies the CPU R-operator in float64 on its own copy of the objective) is what λ_max, top-k and the
/// Gauss-Newton λ_max are measured on, at every scheduled step; a curvature subset is refused. The GPU engine itself is tested against
/// the CPU engine in SharpEdge.Gpu.Tests.
/// </summary>
public sealed class HessianEngineTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static TrainingConfig Tiny => new()
    {
        Model = "mlp:784-4-10:tanh", NumData = 64, LearningRate = 0.05, BatchSize = 8, Steps = 6, Measure = "lambda-max@3,top-k=2@6,gn-lambda-max@6", EigenTolerance = 1e-6,
    };

    private sealed class CountingEngine(Objective<float> objective) : IHessianEngine
    {
        // A float64 copy of the run's objective: the values differ from the float32 CPU engine's only by rounding.
        private readonly Objective<double> copy = new(ModelSpec.Parse(Tiny.Model).Build<double>(objective.Data.InputShape, objective.Data.Outputs),
            new MeanSquaredError<double>(),
            new Samples<double>([.. objective.Data.Inputs.Select(x => (double)x)], objective.Data.InputShape,
                objective.Data.Targets!.Select(x => (double)x).ToArray(), objective.Data.Outputs, objective.Data.Labels));

        public int Calls { get; private set; }

        public ILinearOperator LinearizedHessian(ReadOnlySpan<double> theta)
        {
            Calls++;
            copy.Linearize(theta.ToArray(), new double[theta.Length]);
            return new HessianOperator<double>(copy);
        }

        public ILinearOperator LinearizedGaussNewton(ReadOnlySpan<double> theta)
        {
            Calls++;
            copy.Linearize(theta.ToArray(), new double[theta.Length]);
            return new GaussNewtonOperator<double>(copy);
        }
    }

    [Fact]
    public void Eigen_measurements_come_from_the_engine_and_agree_with_the_cpu()
    {
        using var store = RunStore.Open(temp.Path);
        var plain = TrainingRun.Start(store, temp.Path, Tiny, "cpu");
        CountingEngine? engine = null;
        var hooks = new TrainingHooks { HessianEngine = objective => engine = new CountingEngine(objective) };
        var withEngine = TrainingRun.Start(store, temp.Path, Tiny, "engine", hooks);
        Assert.NotNull(engine);
        // λ_max at steps 0, 3, 6 and top-2 at 0 and 6: one linearization per measured step, shared by its solves of H;
        // the Gauss-Newton λ_max at 0 and 6 linearizes once more at each of them
        Assert.Equal(3 + 2, engine.Calls);
        foreach (var metric in new[] { "lambda_max", "top_k_1", "top_k_2", "gn_lambda_max" })
        {
            var expected = store.Metrics(plain.RunId, metric);
            var actual = store.Metrics(withEngine.RunId, metric);
            Assert.Equal(expected.Select(m => m.Step), actual.Select(m => m.Step));
            for (int i = 0; i < expected.Count; i++)
                Assert.Equal(expected[i].Value, actual[i].Value, 1e-4 * Math.Abs(expected[i].Value));
        }
    }

    // Evaluates each batch with the CPU engine on its own objective over a batch buffer, counting the batches.
    private sealed class CountingBatchEngine(Objective<float> full, int batchSize) : IBatchCurvatureEngine<float>
    {
        private readonly Samples<float> buffer = full.Data.CreateBuffer(batchSize);
        private float[] theta = [];

        public int Batches { get; private set; }

        public void SetParameters(ReadOnlySpan<double> parameters) => theta = [.. parameters.ToArray().Select(x => (float)x)];

        public (double Curvature, double NormSquared) CurvatureAlongGradient(Samples<float> batch, bool gaussNewton = false)
        {
            Batches++;
            Array.Copy(batch.Inputs, buffer.Inputs, batch.Inputs.Length);
            Array.Copy(batch.Targets!, buffer.Targets!, batch.Targets!.Length);
            var objective = new Objective<float>(full.Network, full.Loss, buffer);
            if (!gaussNewton)
            {
                var (_, norm, curvature) = objective.CurvatureAlongGradient(theta);
                return (curvature, norm);
            }
            var g = new float[theta.Length];
            var gv = new float[theta.Length];
            objective.Linearize(theta, g);
            objective.GaussNewtonVectorProduct(g, gv);
            return (g.Zip(gv, (x, y) => (double)x * y).Sum(), g.Sum(x => (double)x * x));
        }
    }

    // Each estimate equals the CPU workers' (same batches, float32 rounding apart); the engine saw every batch the
    // estimates of `metrics` used, and at most one round of 8 past each stop.
    private (CountingBatchEngine Engine, List<string> Log) RunWithBatchEngine(RunStore store, TrainingConfig config, string name, params string[] metrics)
    {
        var plain = TrainingRun.Start(store, temp.Path, config, name + "-cpu");
        CountingBatchEngine? engine = null;
        var log = new List<string>();
        var hooks = new TrainingHooks(Log: log.Add) { BatchEngine = (objective, b) => engine = new CountingBatchEngine(objective, b) };
        var withEngine = TrainingRun.Start(store, temp.Path, config, name, hooks);
        Assert.NotNull(engine);
        long used = 0;
        foreach (var metric in new[] { "batch_sharpness", "gn_batch_sharpness" })
        {
            var expected = store.Metrics(plain.RunId, metric);
            var actual = store.Metrics(withEngine.RunId, metric);
            Assert.Equal(3, expected.Count);   // steps 0, 3 and 6
            for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Value, actual[i].Value, 1e-4 * Math.Abs(expected[i].Value));
            if (metrics.Contains(metric)) used += actual.Sum(m => (long)m.Samples!);
        }
        Assert.InRange(engine.Batches, used, used + metrics.Length * 3 * 8);
        return (engine, log);
    }

    [Fact]
    public void Batches_larger_than_the_gram_limit_go_to_the_batch_engine()
    {
        using var store = RunStore.Open(temp.Path);
        var config = Tiny with { NumData = 128, BatchSize = Objective<float>.GramBatchLimit + 16, Measure = "batch-sharpness@3,gn-batch-sharpness@3" };
        var (_, log) = RunWithBatchEngine(store, config, "large", "batch_sharpness", "gn_batch_sharpness");
        Assert.DoesNotContain(log, line => line.Contains("stays on the CPU workers"));
    }

    // Up to the Gram limit the CPU workers take batch sharpness from batch Gram matrices, faster than a GPU's one batch
    // at a time: only the Gauss-Newton form's batches go to the engine, and the log says so.
    [Fact]
    public void Small_batches_keep_batch_sharpness_on_the_cpu_workers()
    {
        using var store = RunStore.Open(temp.Path);
        var (_, log) = RunWithBatchEngine(store, Tiny with { Measure = "batch-sharpness@3,gn-batch-sharpness@3" }, "small", "gn_batch_sharpness");
        Assert.Contains(log, line => line.Contains("batch sharpness stays on the CPU workers"));

        // batch sharpness alone: no batch engine at all, and no "nothing on the GPU" line beside the note
        bool built = false;
        log.Clear();
        TrainingRun.Start(store, temp.Path, Tiny with { Measure = "batch-sharpness@3" }, "small-alone",
            new TrainingHooks(Log: log.Add) { BatchEngine = (objective, b) => { built = true; return new CountingBatchEngine(objective, b); } });
        Assert.False(built);
        Assert.Contains(log, line => line.Contains("batch sharpness stays on the CPU workers"));
        Assert.DoesNotContain(log, line => line.Contains("no scheduled measurement runs on the GPU"));

        // no measurement that takes batches: no batch engine is built
        TrainingRun.Start(store, temp.Path, Tiny with { Measure = "lambda-max@3" }, "no-batches",
            new TrainingHooks { BatchEngine = (objective, b) => { built = true; return new CountingBatchEngine(objective, b); } });
        Assert.False(built);
    }

    [Fact]
    public void Engines_are_built_only_for_the_measurements_that_take_them()
    {
        using var store = RunStore.Open(temp.Path);
        bool hessianBuilt = false, batchBuilt = false;
        var log = new List<string>();
        TrainingHooks Hooks() => new(Log: log.Add)
        {
            HessianEngine = objective => { hessianBuilt = true; return new CountingEngine(objective); },
            BatchEngine = (objective, b) => { batchBuilt = true; return new CountingBatchEngine(objective, b); },
        };
        // batch sharpness alone: no full-data engine (it would hold every sample on the device for nothing)
        TrainingRun.Start(store, temp.Path, Tiny with { Measure = "gn-batch-sharpness@3" }, "batches-only", Hooks());
        Assert.True(batchBuilt);
        Assert.False(hessianBuilt);
        Assert.DoesNotContain(log, line => line.Contains("no scheduled measurement runs on the GPU"));

        // the end-of-run λ_max of --final takes the full-data engine even when nothing else is scheduled, and its
        // batch sharpness the batch engine where batches exceed the Gram limit
        batchBuilt = false;
        TrainingRun.Start(store, temp.Path, Tiny with { Measure = "", Final = true, NumData = 128, BatchSize = Objective<float>.GramBatchLimit + 16 }, "final", Hooks());
        Assert.True(hessianBuilt);
        Assert.True(batchBuilt);

        // measurements that never use an engine: neither is built, and the log says everything stays on the CPU
        (hessianBuilt, batchBuilt) = (false, false);
        TrainingRun.Start(store, temp.Path, Tiny with { Measure = "gni@3" }, "cpu-only", Hooks());
        Assert.False(hessianBuilt);
        Assert.False(batchBuilt);
        Assert.Contains(log, line => line.Contains("no scheduled measurement runs on the GPU"));
    }

    [Fact]
    public void A_curvature_subset_is_refused()
    {
        using var store = RunStore.Open(temp.Path);
        var hooks = new TrainingHooks { HessianEngine = objective => new CountingEngine(objective) };
        var error = Assert.Throws<ArgumentException>(() => TrainingRun.Start(store, temp.Path, Tiny with { CurvatureSubset = 32 }, "subset", hooks));
        Assert.Contains("--curvature-subset", error.Message);
    }
}
