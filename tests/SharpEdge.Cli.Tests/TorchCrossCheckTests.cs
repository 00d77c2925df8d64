namespace SharpEdge.Cli.Tests;

/// <summary>
/// Runs bench/torch_check.py, which builds the same MLPs in PyTorch (Debian python3-torch 1.13) and compares
/// loss, gradient and H·v of `sharpedge model hvp` in float64 to 1e-9. Skipped where PyTorch is absent.
/// </summary>
public class TorchCrossCheckTests
{
    [SkippableFact]
    public void Model_hvp_agrees_with_pytorch_double_backward()
    {
        Skip.IfNot(CliRunner.HasTorch(), "PyTorch/NumPy (python3-torch, python3-numpy) not installed");
        var script = Path.Combine(CliRunner.RepositoryRoot(), "bench", "torch_check.py");
        var (code, output) = CliRunner.Python(script, "--sharpedge", CliRunner.CommandLine, "--quick");
        Assert.True(code == 0, output);
        Assert.Contains("all agree with PyTorch to 1e-9", output);
    }

    /// <summary>
    /// bench/torch_conv_check.py: the conv presets (cnn, resnet, resnet_bn, small wrn and wrn_no_bn) built in PyTorch with
    /// the original's module names; parameter and buffer names, loss, gradient and H·v of `sharpedge model hvp` agree in
    /// float64 to 1e-8, BatchNorm with batch statistics and frozen (--bn frozen).
    /// </summary>
    [SkippableFact]
    public void Conv_presets_agree_with_pytorch_double_backward()
    {
        Skip.IfNot(CliRunner.HasTorch(), "PyTorch/NumPy (python3-torch, python3-numpy) not installed");
        var script = Path.Combine(CliRunner.RepositoryRoot(), "bench", "torch_conv_check.py");
        var (code, output) = CliRunner.Python(script, "--sharpedge", CliRunner.CommandLine, "--quick");
        Assert.True(code == 0, output);
        Assert.Contains("all agree with PyTorch to 1e-8", output);
    }
}
