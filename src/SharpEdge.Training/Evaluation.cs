using SharpEdge.Curvature.Measurements;
using SharpEdge.Nn;
using SharpEdge.Runs;

namespace SharpEdge.Training;

/// <summary>
/// Loss and accuracy of θ on a whole data split on a cadence: the full training data (<c>full_loss</c>,
/// <c>full_accuracy</c>; HEAD's <c>--force-full-loss</c>, eoss_spec §7.16) or the test split (<c>test_loss</c>,
/// <c>test_accuracy</c>, which the original never evaluates, §15.1.10). Accuracy is the fraction of samples
/// classified right (<see cref="Samples{T}.CountCorrect"/>). One forward pass over the split, no gradient.
/// </summary>
public sealed class Evaluation
{
    /// <summary>HEAD's <c>full_loss</c> rule (§8.1): every 32 steps, doubling after 10k and 50k.</summary>
    public static readonly Cadence FullLossRule = Curvature.Measurements.Cadence.Every(32).Times(2, 10_000).Times(2, 50_000);

    private readonly Objective<float> objective;

    /// <summary>Evaluates <paramref name="network"/> with <paramref name="loss"/> on <paramref name="split"/>, storing <c>PREFIX_loss</c> and <c>PREFIX_accuracy</c>.</summary>
    public Evaluation(string prefix, Network<float> network, Loss<float> loss, Samples<float> split, MeasurementCadence cadence)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentNullException.ThrowIfNull(cadence);
        objective = new Objective<float>(network, loss, split, cacheBudgetBytes: 0);   // one chunk's forward pass at a time
        LossMetric = prefix + "_loss";
        AccuracyMetric = prefix + "_accuracy";
        Cadence = cadence;
    }

    public string LossMetric { get; }
    public string AccuracyMetric { get; }
    public MeasurementCadence Cadence { get; }
    public int SampleCount => objective.Data.Count;

    /// <summary>The loss and accuracy rows of step <paramref name="step"/> at θ.</summary>
    public void Evaluate(ReadOnlySpan<float> theta, long step, double epoch, List<MetricRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var loss = objective.Evaluate(theta, out var accuracy);
        rows.Add(new MetricRow(step, epoch, LossMetric, loss));
        rows.Add(new MetricRow(step, epoch, AccuracyMetric, accuracy));
    }
}
