namespace SharpEdge.Gpu.Tests;

/// <summary>The kernels compiled to PTX for an H100 (sm_90) on a machine without a GPU.</summary>
public sealed class EnsemblePtxTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KernelCompilesForCudaWithCorrectlyRoundedArithmeticOnly(bool paperShape)
    {
        string ptx = EnsemblePtx.Generate(paperShape);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), $"sharpedge-ensemble{(paperShape ? "-paper" : "")}.ptx"), ptx);
        Assert.Contains(".target sm_", ptx);
        Assert.DoesNotContain("FusedMultiplyAdd", ptx);   // no call to an undefined function
        Assert.Contains("div.rn.f64", ptx);
        // The tanh port must not fall back to approximate hardware functions.
        Assert.DoesNotContain(".approx", ptx);
        // Values that live in local memory (address-taken temporaries) cost the kernel most of its speed on a GPU.
        Assert.DoesNotContain("st.local", ptx);
        if (paperShape)
        {
            Assert.Contains("shfl.sync.bfly", ptx);
            Assert.Contains(".maxntid 128", ptx);   // launch bounds: four warps per block
        }
        else Assert.Contains("bar.sync", ptx);
    }
}
