using SharpEdge.Curvature.Measurements;

namespace SharpEdge.Training.Tests;

public class MeasurementCadenceTests
{
    private static readonly IMeasurement LambdaMax = MeasurementRegistry.Find("lambda-max");

    private static long[] FiringSteps(MeasurementCadence cadence, long last, int batch = 8) =>
        [.. Enumerable.Range(0, (int)last + 1).Select(s => (long)s).Where(s => cadence.Fires(s, batch))];

    [Fact]
    public void Dense_early_phases_then_every_n_steps()
    {
        // every step below 4, every 2nd below 10, then every 5th: counted by hand
        var cadence = MeasurementCadence.Parse("1<4/2<10/5", LambdaMax);
        Assert.Equal([0, 1, 2, 3, 4, 6, 8, 10, 15, 20], FiringSteps(cadence, 20));
        Assert.Equal([0, 7, 14, 21], FiringSteps(MeasurementCadence.Parse("7", LambdaMax), 21));
    }

    [Fact]
    public void Head_is_the_measurements_own_rule_with_its_growth()
    {
        // eoss_spec §8.1, measured for b = 8: λ_max at 0, 256, …, 9984, then 10240, 10752, … (×2 after 10k)
        var head = MeasurementCadence.Parse("head", LambdaMax);
        var steps = FiringSteps(head, 11_000);
        Assert.Equal(0, steps[0]);
        Assert.Equal(256, steps[1]);
        Assert.Equal([9984, 10240, 10752], steps[^3..]);
        // an early phase in front of it: the seed's dense λ_max logging
        var seed = MeasurementCadence.Parse("1<128/4<256/head", LambdaMax);
        Assert.Equal(128 + 32 + 1, FiringSteps(seed, 256).Length);
    }

    // The count an ETA uses, computed phase by phase, against firing step by step over many ranges (HEAD's λ_max
    // rule doubles its interval after 10k and 30k steps; b = 64 takes its large-batch interval).
    [Theory]
    [InlineData("1<4/2<10/5", 8)]
    [InlineData("head", 8)]
    [InlineData("head", 64)]
    [InlineData("1<128/4<256/head", 8)]
    [InlineData("3<9/7", 8)]
    [InlineData("end", 8)]
    public void Fires_between_counts_the_firing_steps_of_a_range(string text, int batch)
    {
        var cadence = MeasurementCadence.Parse(text, LambdaMax);
        var firing = FiringSteps(cadence, 40_000, batch);
        var rng = new Random(5);
        var ends = new long[] { 0, 1, 3, 4, 9, 10, 11, 127, 128, 255, 256, 257, 10_000, 10_001, 10_240, 30_000, 30_001, 39_999 };
        foreach (var (from, to) in ends.SelectMany(a => ends.Select(b => (a, b))).Concat(Enumerable.Range(0, 200).Select(_ => ((long)rng.Next(40_000), (long)rng.Next(40_001)))))
        {
            long expected = firing.Count(step => step >= from && step < to);
            Assert.True(expected == cadence.FiresBetween(from, to, batch), $"{text} on [{from}, {to}): {expected} firing steps, counted {cadence.FiresBetween(from, to, batch)}");
        }
    }

    [Theory]
    [InlineData("1<4/2<10/5")]
    [InlineData("head")]
    [InlineData("3<9/head")]
    [InlineData("100")]
    public void Text_form_round_trips(string text) => Assert.Equal(text, MeasurementCadence.Parse(text, LambdaMax).ToString());

    [Theory]
    [InlineData("0", "'0' is neither a step count nor 'head'")]
    [InlineData("every", "'every' is neither")]
    [InlineData("4<2", "'4<2' is neither")]
    [InlineData("2<10/1<5/7", "phase ends must increase")]
    [InlineData("x<10/7", "'x<10' is not a phase EVERY<UNTIL")]
    public void Bad_cadences_name_the_entry_and_the_syntax(string text, string problem)
    {
        var message = Assert.Throws<ArgumentException>(() => MeasurementCadence.Parse(text, LambdaMax)).Message;
        Assert.StartsWith($"lambda-max@{text}: ", message);
        Assert.Contains(problem, message);
        Assert.Contains("EVERY<UNTIL", message);
    }

    [Fact]
    public void Measure_lists_take_cadences_after_at_and_the_default_otherwise()
    {
        var list = ScheduledMeasurement.ParseList("lambda-max@1<3/50, top-k=3@head ,batch-sharpness", defaultEvery: 20);
        Assert.Equal(["lambda-max", "top-k", "batch-sharpness"], list.Select(m => m.Measurement.Name));
        Assert.Equal(3, list[1].Measurement.ArgumentValue);
        Assert.Equal(["1<3/50", "head", "20"], list.Select(m => m.Cadence.ToString()));
        Assert.Empty(ScheduledMeasurement.ParseList(" ", 20));
        Assert.Contains("'@5' names no measurement", Assert.Throws<ArgumentException>(() => ScheduledMeasurement.ParseList("lambda-max,@5", 20)).Message);
        Assert.Contains("unknown measurement 'lambda-maxx'", Assert.Throws<ArgumentException>(() => ScheduledMeasurement.ParseList("lambda-maxx@5", 20)).Message);
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => ScheduledMeasurement.ParseList("lambda-max@5,lambda-max@7", 20)).Message);
    }
}
