namespace SharpEdge.Gpu.Tests;

/// <summary>The kernel compiled to PTX for an H100 (sm_90) on a machine without a GPU.</summary>
public sealed class EnsemblePtxTests
{
    [Fact]
    public void KernelCompilesForCudaWithCorrectlyRoundedArithmeticOnly()
    {
        string ptx = EnsemblePtx.Generate();
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "sharpedge-ensemble.ptx"), ptx);
        Assert.Contains(".target sm_", ptx);
        Assert.DoesNotContain("FusedMultiplyAdd", ptx);   // no call to an undefined function
        Assert.Contains("fma.rn.f64", ptx);
        Assert.Contains("div.rn.f64", ptx);
        Assert.Contains("mul.rn.f64", ptx);
        Assert.Contains("bar.sync", ptx);
        // The tanh port must not fall back to approximate hardware functions.
        Assert.DoesNotContain(".approx", ptx);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "sharpedge-ensemble.ptx"), ptx);
    }
}
