using SharpEdge.Curvature;
using static SharpEdge.Curvature.Tests.TestMatrices;

namespace SharpEdge.Curvature.Tests;

public class EigenSolversTests
{
    [Fact]
    public void AutoIsDenseForSmallOperatorsAndIterativeForLargeOnes()
    {
        var small = HessianLike(100, 51);
        var dense = EigenSolvers.TopK(Operator(small, 52), 3);
        Assert.Equal(100, dense.Products);
        Assert.True(MaxRelativeError(dense.Values, Largest(small, 3)) < 1e-12);

        var large = HessianLike(300, 53);
        var op = Operator(large, 54);
        var lanczos = EigenSolvers.TopK(op, 3, new EigenOptions { Tolerance = 1e-8, ReturnVectors = true });
        Assert.True(lanczos.Products < 300);
        Assert.True(MaxRelativeError(lanczos.Values, Largest(large, 3)) < 1e-9);
        var warm = EigenSolvers.TopK(op, 3, new EigenOptions { Tolerance = 1e-8, InitialVectors = lanczos.Vectors });
        Assert.True(warm.Products < lanczos.Products);
        Assert.True(MaxRelativeError(warm.Values, Largest(large, 3)) < 1e-9);
    }

    [Theory]
    [InlineData(EigenMethod.Dense)]
    [InlineData(EigenMethod.Lanczos)]
    [InlineData(EigenMethod.Lobpcg)]
    [InlineData(EigenMethod.Power)]
    public void EveryForcedMethodFindsLambdaMax(EigenMethod method)
    {
        var spectrum = HessianLike(250, 55);
        spectrum[100] = -90; // dominant in magnitude? no: 100 > 90, but close enough to slow power iteration
        var result = EigenSolvers.TopK(Operator(spectrum, 56), 1, new EigenOptions { Method = method, Tolerance = 1e-8 });
        Assert.True(result.Converged);
        Assert.Equal(100, result.Values[0], 1e-8);
    }
}
