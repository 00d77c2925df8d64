namespace SharpEdge.Curvature.Tests;

public class EngineWarmupTests
{
    /// <summary>The warm-up runs every pass a measurement uses (products-only linearization, Lanczos, completed
    /// gradient, quadratic form) on its own model; it must get through them for each family and loss.</summary>
    [Theory]
    [InlineData("mlp:12-6-3:tanh", "ce")]
    [InlineData("mlp_s", "mse")]
    [InlineData("cnn:channels=2-2-3:hidden=3", "mse")]
    [InlineData("resnet_bn:blocks=1-1-1:width=2", "ce")]
    public async Task Runs_every_pass_on_its_own_model(string spec, string loss)
    {
        await EngineWarmup.Start<float>(spec, loss);
        await EngineWarmup.Start<double>(spec, loss);
    }

    [Fact]
    public async Task A_model_it_cannot_build_faults_the_task() =>
        await Assert.ThrowsAsync<ArgumentException>(() => EngineWarmup.Start<float>("no-such-model", "mse"));
}
