namespace SharpEdge.TeacherStudent.Tests;

public class TeacherStudentConfigTests
{
    [Fact]
    public void DefaultsAreThePapersValues()
    {
        var config = new TeacherStudentConfig();
        Assert.Equal(Activation.Tanh, config.Activation);
        Assert.Equal(2, config.Ratio);
        Assert.Equal(16, config.HiddenUnits);
        Assert.Equal(32, config.FirstHiddenWidth);
        Assert.Equal(3, config.InputDim);
        Assert.Equal(4, config.BatchSize);
        Assert.Equal(1000, config.BatchCount);
        Assert.Equal(4000, config.SampleCount);
        Assert.Equal(100_000, config.Epochs);
        Assert.Equal((0.0, 1.0, 0.0, 1.0, 0.0, 1.0),
            (config.FirstLayerMean, config.FirstLayerWidth, config.TeacherMean, config.TeacherWidth, config.ReadoutMean, config.ReadoutWidth));
        Assert.Equal(0.25, config.Temperature);
        Assert.Empty(config.Problems());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void LearningRateAndStudentWidthMustBePositiveAndFinite(double value)
    {
        var lr = Assert.Throws<ArgumentException>(() => new TeacherStudentConfig { LearningRate = value }.Validate());
        Assert.Contains("learning rate (--lr)", lr.Message);
        var eps = Assert.Throws<ArgumentException>(() => new TeacherStudentConfig { StudentWidth = value }.Validate());
        Assert.Contains("student width", eps.Message);
    }

    [Fact]
    public void EveryProblemIsListed()
    {
        var config = new TeacherStudentConfig
        {
            Epochs = 30,
            HiddenUnits = 0,
            BatchSize = -2,
            FirstLayerWidth = -1.0,
            ReadoutMean = double.NaN,
        };
        var problems = config.Problems();
        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.Contains("epochs = 30"));
        Assert.Contains(problems, p => p.Contains("hidden units (--K)"));
        Assert.Contains(problems, p => p.Contains("batch size (--bs)"));
        Assert.Contains(problems, p => p.Contains("--M_sig"));
        Assert.Contains(problems, p => p.Contains("--Z_mu"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-100)]
    [InlineData(99)]
    public void UnsavableEpochCountsAreInvalid(int epochs) =>
        Assert.Throws<ArgumentException>(() => new TeacherStudentConfig { Epochs = epochs }.Validate());

    [Fact]
    public void ActivationNamesRoundTrip()
    {
        foreach (var activation in Enum.GetValues<Activation>())
            Assert.Equal(activation, ActivationFunctions.Parse(activation.Name().ToUpperInvariant()));
        Assert.Throws<ArgumentException>(() => ActivationFunctions.Parse("sigmoid"));
    }
}
