using System.Diagnostics;

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
        var script = Path.Combine(RepositoryRoot(), "bench", "torch_check.py");
        Skip.IfNot(File.Exists("/usr/bin/python3") && PythonHas("torch") && PythonHas("numpy"), "PyTorch/NumPy (python3-torch, python3-numpy) not installed");
        var cli = $"dotnet {Path.Combine(AppContext.BaseDirectory, "sharpedge.dll")}";
        var (code, output) = RunPython(script, "--sharpedge", cli, "--quick");
        Assert.True(code == 0, output);
        Assert.Contains("all agree with PyTorch to 1e-9", output);
    }

    private static bool PythonHas(string module) => RunPython("-c", $"import {module}").Code == 0;

    private static (int Code, string Output) RunPython(params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["SHARPEDGE_THREADS"] = "1";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit(300_000);
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SharpEdge.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root (SharpEdge.slnx) not found above the test assembly");
    }
}
