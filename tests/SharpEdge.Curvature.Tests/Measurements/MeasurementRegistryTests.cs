using SharpEdge.Curvature.Measurements;
using static SharpEdge.Curvature.Tests.Measurements.NetworkFixtures;

namespace SharpEdge.Curvature.Tests.Measurements;

public class MeasurementRegistryTests
{
    [Fact]
    public void Every_measurement_of_the_issue_is_registered_once_with_a_kebab_name()
    {
        string[] expected =
        [
            "batch-lambda-max", "batch-sharpness", "batch-sharpness-ratio-of-means", "fisher-lambda-max", "gn-batch-sharpness",
            "gn-lambda-max", "gni", "gradient-norm-squared", "gradient-projection", "lambda-max", "momentum-batch-sharpness",
            "one-step-loss-change", "parameter-distance", "second-moment-contraction", "step-batch-lambda-max",
            "step-fisher-lambda-max", "step-sharpness", "top-k", "trace",
        ];
        Assert.Equal(expected, MeasurementRegistry.All.Select(m => m.Name));
        Assert.All(MeasurementRegistry.All, m => Assert.False(string.IsNullOrWhiteSpace(m.Summary)));
    }

    [Fact]
    public void Parse_keeps_order_and_applies_arguments()
    {
        var list = MeasurementRegistry.Parse(" lambda-max, top-k=7 ,batch-sharpness,second-moment-contraction=16");
        Assert.Equal(["lambda-max", "top-k", "batch-sharpness", "second-moment-contraction"], list.Select(m => m.Name));
        Assert.Equal(7, list[1].ArgumentValue);
        Assert.Equal(16, list[3].ArgumentValue);
        Assert.Equal(5, MeasurementRegistry.Find("top-k").ArgumentValue);
    }

    [Theory]
    [InlineData("lambda-max,curvature", "unknown measurement 'curvature'")]
    [InlineData("lambda_max", "did you mean 'lambda-max'")]
    [InlineData("batch-sharpnes", "did you mean 'batch-sharpness'")]
    [InlineData("gni,gni", "listed twice")]
    [InlineData("lambda-max=3", "lambda-max takes no argument")]
    [InlineData("top-k=x", "k must be an integer")]
    [InlineData("top-k=0", "k must be an integer in [1,")]
    [InlineData("", "no measurement given")]
    public void Errors_name_the_problem_and_list_the_known_measurements(string list, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => MeasurementRegistry.Parse(list));
        Assert.Contains(message, e.Message);
        if (message.StartsWith("unknown") || message.StartsWith("did") || message.StartsWith("no"))
            Assert.Contains("batch-sharpness, batch-sharpness-ratio-of-means", e.Message);
    }

    [Fact]
    public void Metric_names_are_the_snake_case_of_measurement_names()
    {
        Assert.Equal("lambda_max", MeasurementRegistry.MetricName("lambda-max"));
        Assert.Equal("one-step-loss-change", MeasurementRegistry.MeasurementName("one_step_loss_change"));
        foreach (var m in MeasurementRegistry.All)
            Assert.Equal(m.Name, MeasurementRegistry.MeasurementName(MeasurementRegistry.MetricName(m.Name)));
    }

    [Fact]
    public void Missing_inputs_are_named_with_the_measurement()
    {
        var (objective, theta) = Problem();
        var context = new MeasurementContext<double>(objective, theta);
        var e = Assert.Throws<ArgumentException>(() => context.Validate(MeasurementRegistry.Parse("lambda-max,one-step-loss-change")));
        Assert.Contains("one-step-loss-change needs", e.Message);
        Assert.Contains("learning rate", e.Message);
        Assert.Contains("batch size", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeasurementContext<double>(objective, theta) { BatchSize = 13 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeasurementContext<double>(objective, theta) { LearningRate = -1 });
        Assert.Throws<ArgumentException>(() => new MeasurementContext<double>(objective, theta) { MomentumBuffer = new double[3] });
    }

    [Fact]
    public void Cadence_follows_the_head_rules()
    {
        var lambda = MeasurementRegistry.Find("lambda-max").Cadence;
        Assert.True(lambda.Fires(0, 8));
        Assert.True(lambda.Fires(9984, 8));
        Assert.False(lambda.Fires(10_000, 8));
        Assert.True(lambda.Fires(10_240, 8));
        Assert.False(lambda.Fires(10_496, 8));
        Assert.Equal(1024, lambda.Interval(40_000, 8));
        var gni = MeasurementRegistry.Find("gni").Cadence;
        Assert.Equal(256, gni.Interval(100, 8));
        Assert.Equal(64, gni.Interval(100, 64));
        Assert.Equal(1024, gni.Interval(20_000, 8));
    }
}
