using SharpEdge.Curvature;
using SharpEdge.Runs;
using static SharpEdge.Training.Tests.DoubleProblem;
using static SharpEdge.Training.Tests.TrainedReference;
using SharpEdge.Tests;

namespace SharpEdge.Training.Tests;

public sealed class ProjectedTrainingTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Each_update_after_the_switch_is_minus_eta_times_the_projected_batch_gradient_on_the_top_l_eigenspace(bool toResidual)
    {
        const int l = 3;
        var config = new TrainingConfig
        {
            Model = "mlp:784-2-10:tanh", NumData = 64, LearningRate = 0.05, BatchSize = 8, Steps = 5, CheckpointEvery = 1,
            ProjSwitchStep = 2, ProjTopL = l, ProjToResidual = toResidual, ProjRefresh = "2",
        };
        using var store = RunStore.Open(temp.Path);
        var run = TrainingRun.Start(store, temp.Path, config);
        Assert.Equal(RunStatus.Finished, run.Run.Status);
        var r = new TrainedReference(config, run.Folder);
        Assert.Null(r.At(2).Projection);
        // solved at the switch (2) and when the refresh cadence fires (4), kept in between
        Assert.Equal([2, 2, 4], new long[] { 3, 4, 5 }.Select(s => r.At(s).Projection!.Step));
        Assert.Equal([2, 4], store.Metrics(run.RunId, "proj_eigenvalue_1").Select(m => m.Step));
        Assert.Equal([2, 3, 4], store.Metrics(run.RunId, "proj_grad_ratio").Select(m => m.Step));

        for (long t = 2; t < 5; t++)
        {
            var basis = r.At(t + 1).Projection!;
            var theta = Wide(r.At(t).Theta);
            var g = Gradient(r.Batch(t), theta);
            var inside = new double[g.Length];
            foreach (var v in basis.Vectors)
            {
                var c = Dot(v, g);
                for (int j = 0; j < g.Length; j++) inside[j] += c * v[j];
            }
            var u = toResidual ? g.Zip(inside, (a, b) => a - b).ToArray() : inside;
            var step = Wide(r.At(t + 1).Theta).Zip(theta, (a, b) => a - b).ToArray();
            var expected = u.Select(x => -config.LearningRate * x).ToArray();
            Assert.InRange(Distance(step, expected), 0, 2 * RoundingBound(r.At(t + 1).Theta) + 1e-5 * Norm(expected));
            Assert.Equal(Norm(u) / Norm(g), store.Metrics(run.RunId, "proj_grad_ratio").Single(m => m.Step == t).Value, 1e-5);

            // the basis is the top-l eigenspace of the full-data Hessian at θ_t of its solve (float64 Lanczos, tight)
            if (basis.Step != t) continue;
            var full = r.Full();
            full.Linearize(theta, new double[theta.Length]);
            var exact = EigenSolvers.TopK(new HessianOperator<double>(full), l, new EigenOptions { Tolerance = 1e-10, ReturnVectors = true, Seed = 3 });
            for (int k = 0; k < l; k++)
            {
                Assert.Equal(exact.Values[k], store.Metrics(run.RunId, $"proj_eigenvalue_{k + 1}").Single(m => m.Step == t).Value, 1e-4 * exact.Values[0]);
                var v = basis.Vectors[k];
                var rest = (double[])v.Clone();
                foreach (var e in exact.Vectors!)
                {
                    var c = Dot(e, v);
                    for (int j = 0; j < v.Length; j++) rest[j] -= c * e[j];
                }
                Assert.InRange(Norm(rest), 0, 1e-2);
            }
        }
    }
}
