using System.Numerics;
using System.Numerics.Tensors;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// The normalised expected change of the full loss after one SGD step,
/// (E_B[L(θ − ηg_B)] − L(θ)) / (η‖g‖²) (eoss_spec §1, §7.11). To second order it is −1 + (η/2)·GNI
/// (<see cref="GradientNoiseInteraction"/>): −1 for a tiny step, 0 where the step stops decreasing the loss on
/// average.
/// </summary>
/// <remarks>
/// Estimator: the mean over Monte-Carlo batches of Δ_B = L(θ − ηg_B) − L(θ) + η gᵀ(g_B − g), divided by η‖g‖².
/// The added term has mean zero (E[g_B] = g) and cancels the first-order fluctuation −ηgᵀδ_B of Δ_B, so the
/// remaining noise is of order η²; the estimate is unbiased. Stopping: at least 11, at most 1000 samples,
/// relative SE 1 % (HEAD's training call).
/// Fixes of HEAD (§15.1.5): ‖g‖² is of the fresh full gradient (HEAD's still held the previous step's batch
/// gradient, so it was ‖g_prev + g‖²); before and after losses are both over all n samples (HEAD: after on a
/// fresh random 2048-subset); the trial step is the plain step θ − ηg_B written into scratch, so no optimiser
/// state (momentum, Adam) is touched.
/// Cost: N batch gradients and N full-data forward passes (no products), sequential, each pass on every thread.
/// </remarks>
public sealed class OneStepLossChange : IMeasurement
{
    public static readonly StoppingRule DefaultStopping = new(11, 1000, 0.01);

    public string Name => "one-step-loss-change";
    public string Summary => "(E_B[L(θ − ηg_B)] − L(θ)) / (η‖g‖²), ≈ −1 + η·GNI/2";
    public MeasurementNeeds Needs => MeasurementNeeds.BatchSize | MeasurementNeeds.LearningRate;
    public Cadence Cadence => Cadence.Every(256, 64).Times(2, 10_000).Times(2, 30_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = context.Stopping(DefaultStopping);
        var eta = context.LearningRate ?? throw new InvalidOperationException($"{Name} needs the learning rate η");
        var g = context.Linearize();
        var loss = context.Loss;
        var normSquared = context.GradientNormSquared;
        if (!(normSquared > 0)) throw new InvalidOperationException("the one-step loss change is undefined: the full gradient is zero");
        var evaluator = context.Evaluator;
        var worker = context.CurvatureSampler.First;
        var batches = context.CurvatureSampler.Batches;
        var theta = context.Theta;
        var step = T.CreateTruncating(-eta);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var estimate = MonteCarlo.Mean(i =>
        {
            worker.Load(batches[i]);
            worker.Objective.Linearize(theta, worker.Gradient);
            TensorPrimitives.MultiplyAdd<T>(worker.Gradient, step, theta.Span, worker.Direction);
            double after = evaluator.Evaluate(worker.Direction);
            double controlVariate = eta * (MeasurementContext<T>.Dot(g, worker.Gradient) - normSquared);
            return after - loss + controlVariate;
        }, rule);
        double scale = 1 / (eta * normSquared);
        var details = new Dictionary<string, object> { ["loss"] = loss, ["gradient_norm_squared"] = normSquared, ["lr"] = eta };
        return new MeasurementResult(Name, new Estimate(estimate.Value * scale, estimate.StandardError * scale, estimate.Samples, 0, clock.Elapsed.TotalSeconds),
            details: details);
    }
}
