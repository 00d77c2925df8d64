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
}
