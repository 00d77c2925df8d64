using System.Numerics;
using SharpEdge.Nn;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// Compiles the engine's code paths on a background thread while a command is still loading its data. The CLI runs
/// without tiered compilation (hot loops get optimised code at once), so every method is compiled on its first call,
/// and a fresh process otherwise pays that inside its first linearization and solve: measured 0.6-0.9 s for the EoSS
/// `mlp` on the 2-core VM under load, more than a warm-started λ_max solve itself. The warm-up runs the same passes
/// (linearization, H·v, gradient, quadratic form, a two-step Lanczos) on a few synthetic samples of its own copy of
/// the model, so it shares no state with the real work and its numbers are discarded.
/// </summary>
public static class EngineWarmup
{
    /// <summary>
    /// Starts the warm-up for <paramref name="modelSpec"/> and <paramref name="lossName"/> ("mse" or "ce") in precision T.
    /// The task faults if the model cannot be built; callers wait without observing that (Task.WaitAny), since the
    /// command's own passes report the problem with their proper message.
    /// </summary>
    public static Task Start<T>(string modelSpec, string lossName) where T : unmanaged, IFloatingPointIeee754<T> =>
        Task.Run(() => Run<T>(modelSpec, lossName));

    private static void Run<T>(string modelSpec, string lossName) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var spec = ModelSpec.Parse(modelSpec);
        // Sizes matter little for compilation: CIFAR-shaped unless the spec fixes them.
        int[] shape = spec.Sizes is { } sizes ? [sizes[0]] : [3, 32, 32];
        int classes = spec.Sizes?[^1] ?? 10;
        var network = spec.Build<T>(shape, classes);
        // MLPs: more than 16 rows, so that the packed GEMM paths of full-data chunks compile too; conv nets are
        // ~100× costlier per sample and compile the same paths on two.
        int count = spec.Family == ModelFamily.Mlp ? 64 : 2;
        var rng = new Rng(1);
        var x = new T[count * network.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = T.CreateTruncating(rng.NextNormal());
        var labels = Enumerable.Range(0, count).Select(i => i % classes).ToArray();
        var data = lossName == "ce"
            ? new Samples<T>(x, shape, null, classes, labels)
            : new Samples<T>(x, shape, labels.SelectMany(l => Enumerable.Range(0, classes).Select(c => c == l ? T.One : T.Zero)).ToArray(), classes, null);
        var theta = new T[network.ParameterCount];
        spec.Initialize(network, theta, 1.0, 1);
        var objective = new Objective<T>(network, Loss<T>.FromName(lossName), data);
        objective.Linearize(theta, default);
        EigenSolvers.TopK(new HessianOperator<T>(objective), 1, new EigenOptions { MaxIterations = 2, ReturnVectors = true });
        var gradient = new T[network.ParameterCount];
        objective.CompleteGradient(gradient);
        objective.QuadraticForm(gradient);
        objective.Linearize(theta, gradient);
    }
}
