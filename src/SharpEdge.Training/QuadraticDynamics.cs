using SharpEdge.Nn;
using SharpEdge.Runs;

namespace SharpEdge.Training;

/// <summary>
/// Quadratic (Taylor) dynamics (eoss_spec §10.3, HEAD <c>--quad-switch-step</c>): minibatch SGD up to step s, then
/// SGD on the second-order Taylor model of each batch loss around θ_s. Step t ≥ s takes batch B_t and moves
/// δ ← δ − η′ (g_{B_t}(θ_s) + C_{B_t}(θ_s) δ), θ = θ_s + δ, with C the batch Hessian (or Gauss–Newton matrix) at θ_s:
/// the batch Taylor model, as the original's <c>compute_quadratic_gradient(X_batch, …)</c>, so the noise of SGD is
/// kept and only the landscape is frozen to its quadratic part. Cost per step: one gradient and one curvature product
/// on the batch at θ_s.
/// </summary>
/// <remarks>
/// The step's loss is the model's batch loss L_{B,q}(θ_t) = L_B(θ_s) + g_Bᵀδ + ½ δᵀC_Bδ (the loss descended; the
/// original logs the true batch loss at θ_{t+1}). The measurements see the true loss at θ_t; the model's full-data loss
/// L_q(θ_t) = L(θ_s) + gᵀδ + ½ δᵀCδ is stored as <c>quadratic_loss</c> on its own cadence from the step after the switch.
/// Unlike the original, the anchor is θ_s itself and step s already is a model step (with δ = 0, the SGD step), where
/// the original freezes θ_s, takes an SGD step at s and then discards it. As in the original, the model is descended
/// by plain steps of η′ and the optimiser is left alone after the switch (so the run must use plain SGD, validated).
/// </remarks>
public sealed class QuadraticDynamics : UpdateRule
{
    private readonly MinibatchUpdate minibatch;
    private readonly Objective<float> full;
    private readonly TaylorModel<float> model;
    private readonly float[] gradient;
    private Objective<float>? anchored;
    private float[]? anchorGradient;
    private double anchorLoss;
    private TaylorAnchor? anchoredAt;

    public QuadraticDynamics(Objective<float> full, BatchOrder order, long switchStep, double learningRate, bool gaussNewton, MeasurementCadence lossCadence)
    {
        ArgumentNullException.ThrowIfNull(full);
        ArgumentNullException.ThrowIfNull(lossCadence);
        if (switchStep < 0) throw new ArgumentOutOfRangeException(nameof(switchStep), switchStep, "the switch step must be ≥ 0");
        if (!(learningRate > 0) || !double.IsFinite(learningRate)) throw new ArgumentException($"the learning rate of the quadratic model must be positive and finite, got {learningRate}");
        minibatch = new MinibatchUpdate(full, order);
        this.full = full;
        model = new TaylorModel<float>(full.ParameterCount, gaussNewton);
        gradient = new float[full.ParameterCount];
        SwitchStep = switchStep;
        LearningRate = learningRate;
        LossCadence = lossCadence;
    }

    /// <summary>The first step on the model, s; θ_s is the anchor.</summary>
    public long SwitchStep { get; }
    /// <summary>η′: the step size on the model (<c>--quad-switch-lr</c>, default the learning rate).</summary>
    public double LearningRate { get; }
    public bool GaussNewton => model.GaussNewton;
    /// <summary>When <c>quadratic_loss</c> is stored.</summary>
    public MeasurementCadence LossCadence { get; }

    public override double Evaluate(TrainingState state, long step)
    {
        if (step < SwitchStep) return minibatch.Evaluate(state, step);
        // the anchor is θ at the top of the first model step: s, or the first step of a run continued past s without one
        var a = state.Quadratic ??= TaylorAnchor.At(state.Theta, step);
        minibatch.Gather(step);
        return model.Gradient(minibatch.Objective, a.Anchor, a.Delta, gradient);
    }

    public override void Apply(TrainingState state, long step)
    {
        if (step < SwitchStep)
        {
            minibatch.Apply(state, step);
            return;
        }
        var a = state.Quadratic ?? throw new InvalidOperationException("Apply of a model step before its Evaluate");
        var lr = (float)LearningRate;
        var (anchor, delta, theta) = (a.Anchor, a.Delta, state.Theta);
        for (int j = 0; j < theta.Length; j++)
        {
            delta[j] -= lr * gradient[j];   // −(η′q) as SGD rounds it: with δ = 0 the first model step is the SGD step bit for bit
            theta[j] = anchor[j] + delta[j];
        }
    }

    public override int[] TrainingBatch(long step) => minibatch.TrainingBatch(step);

    public override void Measure(TrainingState state, long step, double epoch, bool end, List<MetricRow> rows)
    {
        if (state.Quadratic is not { } a || !(end || LossCadence.Fires(step, minibatch.Objective.Data.Count))) return;
        rows.Add(new MetricRow(step, epoch, "quadratic_loss", ModelLoss(a)));
    }

    /// <summary>L_q(θ_s + δ) over all training samples: one curvature product on the full data at θ_s, whose passes are kept.</summary>
    public double ModelLoss(TaylorAnchor a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!ReferenceEquals(anchoredAt, a) || anchored is null || anchorGradient is null)
        {
            anchored ??= new Objective<float>(full.Network, full.Loss, full.Data, full.ChunkSize);
            anchorGradient ??= new float[full.ParameterCount];
            anchorLoss = anchored.Linearize(a.Anchor, anchorGradient);
            anchoredAt = a;
        }
        return model.Loss(anchored, anchorLoss, anchorGradient, a.Delta);
    }
}
