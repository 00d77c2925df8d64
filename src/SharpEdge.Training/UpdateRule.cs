using SharpEdge.Nn;

namespace SharpEdge.Training;

/// <summary>
/// How a training step moves θ (eoss_spec §9.5): a minibatch step of the optimiser (<see cref="MinibatchUpdate"/>),
/// noisy GD (<see cref="NoisyGradientDescent"/>, §10.1) or the SDE (<see cref="EulerMaruyama"/>, §10.2). A step is
/// <see cref="Evaluate"/> (the loss it starts from, θ unchanged, so the loop can stop on divergence first), then
/// <see cref="Apply"/>.
/// </summary>
public abstract class UpdateRule
{
    /// <summary>The loss at θ_t that step t is computed from (the batch loss; the full loss for full-batch rules), and its gradient.</summary>
    public abstract double Evaluate(TrainingState state, long step);

    /// <summary>The update of step t, after <see cref="Evaluate"/> of the same step.</summary>
    public abstract void Apply(TrainingState state, long step);

    /// <summary>The samples step t trains on: the training batch of step sharpness and the other current-batch measurements.</summary>
    public abstract int[] TrainingBatch(long step);

    /// <summary>The rule of <paramref name="config"/> for the full-data objective of the training samples and their batch order.</summary>
    public static UpdateRule Create(TrainingConfig config, Objective<float> full, BatchOrder order)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Sde)
            return new EulerMaruyama(full, new GradientNoise(NoiseModel.Sgd, full, config.BatchSize, config.NoiseMagnitude), config.SdeTime, config.SdeH);
        if (config.GdNoise is { } model)
            return new NoisyGradientDescent(full, new GradientNoise(GradientNoise.ParseModel(model), full, config.BatchSize, config.NoiseMagnitude, config.NoiseRefresh));
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
    private readonly Objective<float> objective;
    private readonly float[] gradient;

    /// <summary>Minibatches of <paramref name="order"/> from the data of the full-data objective <paramref name="full"/>.</summary>
    public MinibatchUpdate(Objective<float> full, BatchOrder order)
    {
        ArgumentNullException.ThrowIfNull(full);
        ArgumentNullException.ThrowIfNull(order);
        train = full.Data;
        this.order = order;
        batch = train.CreateBuffer(order.BatchSize);
        objective = new Objective<float>(full.Network, full.Loss, batch);
        gradient = new float[full.ParameterCount];
    }

    public override double Evaluate(TrainingState state, long step)
    {
        train.GatherInto(order.Batch(step), batch);
        return objective.Linearize(state.Theta, gradient);
    }

    public override void Apply(TrainingState state, long step) => state.Optimizer.Step(state.Theta, gradient);

    public override int[] TrainingBatch(long step) => order.Batch(step).ToArray();
}
