using SharpEdge.Nn;
using SharpEdge.Runs;

namespace SharpEdge.Training;

/// <summary>
/// How a training step moves θ (eoss_spec §9.5): a minibatch step of the optimiser (<see cref="MinibatchUpdate"/>),
/// noisy GD (<see cref="NoisyGradientDescent"/>, §10.1), the SDE (<see cref="EulerMaruyama"/>, §10.2), or, from a
/// switch step on, quadratic dynamics (<see cref="QuadraticDynamics"/>, §10.3) or projected SGD
/// (<see cref="ProjectedSgd"/>, §10.4). A step is <see cref="Evaluate"/> (the loss it starts from, θ unchanged, so
/// the loop can stop on divergence first), then <see cref="Apply"/>.
/// </summary>
public abstract class UpdateRule
{
    /// <summary>The loss at θ_t that step t is computed from (the batch loss; the full loss for full-batch rules), and its gradient.</summary>
    public abstract double Evaluate(TrainingState state, long step);

    /// <summary>The update of step t, after <see cref="Evaluate"/> of the same step.</summary>
    public abstract void Apply(TrainingState state, long step);

    /// <summary>The samples step t trains on: the training batch of step sharpness and the other current-batch measurements.</summary>
    public abstract int[] TrainingBatch(long step);

    /// <summary>
    /// The rule's own quantities at θ_t, taken with the measurements of step t (before its update) when their cadence
    /// fires or at the <paramref name="end"/> (the quadratic model's loss).
    /// </summary>
    public virtual void Measure(TrainingState state, long step, double epoch, bool end, List<MetricRow> rows) { }

    /// <summary>Facts of the update of step t just applied (how much of the gradient a projection kept), after <see cref="Apply"/>.</summary>
    public virtual void Report(long step, double epoch, List<MetricRow> rows) { }

    /// <summary>The rule of <paramref name="config"/> for the full-data objective of the training samples and their batch order.</summary>
    public static UpdateRule Create(TrainingConfig config, Objective<float> full, BatchOrder order)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Sde)
            return new EulerMaruyama(full, new GradientNoise(NoiseModel.Sgd, full, config.BatchSize, config.NoiseMagnitude), config.SdeTime, config.SdeH);
        if (config.GdNoise is { } model)
            return new NoisyGradientDescent(full, new GradientNoise(GradientNoise.ParseModel(model), full, config.BatchSize, config.NoiseMagnitude, config.NoiseRefresh));
        if (config.QuadSwitchStep is { } quadSwitch)
            return new QuadraticDynamics(full, order, quadSwitch, config.QuadLearningRate, config.QuadGaussNewton,
                MeasurementCadence.Parse(config.QuadLossEvery, "--quad-loss-every", head: null));
        if (config.ProjSwitchStep is { } projSwitch)
            return new ProjectedSgd(full, order, projSwitch, config.ProjTopL, config.ProjToResidual,
                MeasurementCadence.Parse(config.ProjRefresh, "--proj-refresh", head: null), config.OrderSeed);
        return new MinibatchUpdate(full, order);
    }

    /// <summary>The <see cref="NoiseState"/> a noisy rule draws from; the trainer creates or restores it.</summary>
    protected static NoiseState NoiseOf(TrainingState state) =>
        state.Noise ?? throw new InvalidOperationException("noisy GD and the SDE need the training state's noise generator");
}

/// <summary>SGD, momentum or Adam on minibatch t of the <see cref="BatchOrder"/> (eoss_spec §9.2, §9.3).</summary>
public sealed class MinibatchUpdate : UpdateRule
{
    private readonly Samples<float> train;
    private readonly BatchOrder order;
    private readonly Samples<float> batch;
    private readonly float[] gradient;

    /// <summary>Minibatches of <paramref name="order"/> from the data of the full-data objective <paramref name="full"/>.</summary>
    public MinibatchUpdate(Objective<float> full, BatchOrder order)
    {
        ArgumentNullException.ThrowIfNull(full);
        ArgumentNullException.ThrowIfNull(order);
        train = full.Data;
        this.order = order;
        batch = train.CreateBuffer(order.BatchSize);
        Objective = new Objective<float>(full.Network, full.Loss, batch) { UpdateRunningStatistics = true };   // BatchNorm: as PyTorch's train()
        gradient = new float[full.ParameterCount];
    }

    /// <summary>L_B over the batch last gathered (<see cref="Gather"/>).</summary>
    public Objective<float> Objective { get; }

    /// <summary>∇L_B(θ_t) of the last <see cref="Evaluate"/>, which <see cref="Apply"/> hands to the optimiser.</summary>
    public float[] Gradient => gradient;

    /// <summary>Puts the samples of batch t into the batch objective's buffer.</summary>
    public void Gather(long step) => train.GatherInto(order.Batch(step), batch);

    public override double Evaluate(TrainingState state, long step)
    {
        Gather(step);
        return Objective.Linearize(state.Theta, gradient);
    }

    public override void Apply(TrainingState state, long step) => state.Optimizer.Step(state.Theta, gradient);

    public override int[] TrainingBatch(long step) => order.Batch(step).ToArray();
}
