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
        // The general kernel divides (correctly rounded); the paper-shape kernel has no division at all, so no slow-path
        // branch splits its step (KernelMath.Divide).
        if (paperShape) Assert.DoesNotContain("div.rn.f64", ptx);
        else Assert.Contains("div.rn.f64", ptx);
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
    [InlineData("Gemm", true, false)]
    [InlineData("Gemm", true, true)]
    [InlineData("BiasActivate", false, false)]
    [InlineData("BiasTimesSlope", false, true)]
    [InlineData("RBackward", false, false)]
    [InlineData("DotPartials", false, true)]
    public void DenseKernelsCompileForCuda(string name, bool explicitlyGrouped, bool float32)
    {
        var kernels = float32 ? typeof(DenseKernels<float, Float32Scalar, PtxOps>) : typeof(DenseKernels<double, Float64Scalar, PtxOps>);
        var method = kernels.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;
        string ptx = KernelPtx.Compile(method, explicitlyGrouped);
        Assert.Contains(".entry", ptx);
        Assert.DoesNotContain("st.local", ptx);
        Assert.DoesNotContain(".approx", ptx);
        if (name == "Gemm") Assert.Contains("bar.sync", ptx);
        Assert.Contains(float32 ? ".f32" : ".f64", ptx);
    }
}
