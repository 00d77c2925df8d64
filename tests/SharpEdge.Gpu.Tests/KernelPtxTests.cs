using System.Reflection;
using SharpEdge.Gpu.Curvature;

namespace SharpEdge.Gpu.Tests;

/// <summary>The kernels compiled to PTX for an H100 (sm_90) on a machine without a GPU.</summary>
public sealed class KernelPtxTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KernelCompilesForCudaWithCorrectlyRoundedArithmeticOnly(bool paperShape)
    {
        string ptx = KernelPtx.Ensemble(paperShape);
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

    // The curvature engine's kernels: the GEMM (explicitly grouped) and the element-wise passes.
    [Theory]
    [InlineData(nameof(DenseKernels<PtxOps>.Gemm), true)]
    [InlineData(nameof(DenseKernels<PtxOps>.Activate), false)]
    [InlineData(nameof(DenseKernels<PtxOps>.RBackward), false)]
    [InlineData(nameof(DenseKernels<PtxOps>.ColumnSums), false)]
    public void DenseKernelsCompileForCuda(string name, bool explicitlyGrouped)
    {
        var method = typeof(DenseKernels<PtxOps>).GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;
        string ptx = KernelPtx.Compile(method, explicitlyGrouped);
        Assert.Contains(".entry", ptx);
        Assert.DoesNotContain("st.local", ptx);
        Assert.DoesNotContain(".approx", ptx);
        if (name == nameof(DenseKernels<PtxOps>.Gemm)) Assert.Contains("bar.sync", ptx);
    }
}
