using SharpEdge.Curvature.Measurements;

namespace SharpEdge.Training.Tests;

public class TrainingEtaTests
{
    private static readonly IReadOnlyList<ScheduledMeasurement> DenseEarly = ScheduledMeasurement.ParseList("lambda-max@1<128/4<256/256,batch-sharpness@100", 256);

    // Step 10 of 1,000 after ten 1 ms steps, λ_max (dense early) at 1 s a call and batch sharpness at 0.5 s, each run
    // at steps 0-9 as their cadences say, plus 0.2 s the account does not cover. Counted by hand: λ_max still fires at
    // 10-127 (118), 128, 132, …, 252 (32), 256, 512, 768 (3) and at the end: 154 calls; batch sharpness at 100, 200, …,
    // 900 and the end: 10 calls.
    [Fact]
    public void Measurements_count_by_their_cadence_not_by_the_rate_so_far()
    {
        var shares = new List<TimeShare>
        {
            new(TimeAccount.Steps, 10, 0, 0, 0.010),
            new("lambda-max", 10, 200, 0, 10.0),
            new("batch-sharpness", 1, 0, 100, 0.5),
            new(TimeAccount.Linearization, 10, 0, 0, 0.1),
        };
        double elapsed = 0.010 + 10.0 + 0.5 + 0.1 + 0.2;
        double? eta = TrainingEta.Remaining(10, 1_000, 8, DenseEarly, shares, elapsed, stepsDone: 10);
        double expected = 990 * 0.001 + 154 * 1.0 + 10 * 0.5 + 154 * 0.01 + 990 * 0.2 / 10;
        Assert.NotNull(eta);
        Assert.Equal(expected, eta.Value, 1e-9);
        // the plain rate would have said 990 steps at 10 steps per 10.81 s: about 1,070 s
        Assert.True(990 / (10 / elapsed) > 5 * eta.Value);
    }

    [Fact]
    public void Nothing_is_estimated_before_a_step_is_timed_and_unknown_costs_count_zero()
    {
        Assert.Null(TrainingEta.Remaining(0, 100, 8, DenseEarly, [new(TimeAccount.Steps, 0, 0, 0, 0)], 1.0, stepsDone: 0));
        // λ_max has run, batch sharpness not yet (no cost known): only the steps and λ_max's calls count
        var shares = new List<TimeShare> { new(TimeAccount.Steps, 4, 0, 0, 0.4), new("lambda-max", 4, 0, 0, 2.0) };
        double? eta = TrainingEta.Remaining(4, 8, 8, DenseEarly, shares, elapsedSeconds: 2.4, stepsDone: 4);
        Assert.Equal(4 * 0.1 + (4 + 1) * 0.5, eta!.Value, 1e-12);   // λ_max at 4, 5, 6, 7 and the end
    }
}
