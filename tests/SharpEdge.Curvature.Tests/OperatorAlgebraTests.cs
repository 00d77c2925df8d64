using SharpEdge.Curvature;
using SharpEdge.Numerics;
using static SharpEdge.Curvature.Tests.TestMatrices;

namespace SharpEdge.Curvature.Tests;

public class OperatorAlgebraTests
{
    private const int N = 40;

    private static double[] RandomSymmetric(ulong seed, int n = N)
    {
        var rng = new Rng(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.NextNormal();
        return a;
    }

    private static double[] Multiply(double[] a, double[] b, int n = N)
    {
        var c = new double[n * n];
        Gemm.Multiply(false, false, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
        return c;
    }

    private static double[] Combine(double wa, double[] a, double wb, double[] b) => a.Select((x, i) => wa * x + wb * b[i]).ToArray();

    private static double[] Identity(int n = N)
    {
        var i = new double[n * n];
        for (int k = 0; k < n; k++) i[k * n + k] = 1;
        return i;
    }

    private static void AssertMatrix(double[] expected, ILinearOperator op)
    {
        var actual = LinearOperator.ToDense(op);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-12 * scale);
        // the batched path agrees with the single-vector path
        int n = op.Size;
        var rng = new Rng(99);
        var block = new double[3 * n];
        rng.FillNormal(block);
        var batched = new double[3 * n];
        op.ApplyBlock(block, 3, batched);
        var single = new double[n];
        for (int j = 0; j < 3; j++)
        {
            op.Apply(block.AsSpan(j * n, n), single);
            for (int r = 0; r < n; r++) Assert.Equal(single[r], batched[j * n + r], 1e-12 * scale * n);
        }
    }

    [Fact]
    public void WeightedSumShiftAndScaleEqualTheirMatrices()
    {
        var a = RandomSymmetric(1);
        var b = RandomSymmetric(2);
        var opA = new DenseOperator(a, N);
        var opB = new DenseOperator(b, N);
        AssertMatrix(Combine(2, a, -0.5, b), new SumOperator([opA, opB], [2, -0.5]));
        AssertMatrix(Combine(1, Combine(1, a, 1, b), 3, Identity()), new SumOperator([opA, opB], shift: 3));
        AssertMatrix(Combine(1, a, -1.5, Identity()), opA.Shift(-1.5));
        AssertMatrix(Combine(0.25, a, 0, b), opA.Scale(0.25));
    }

    [Fact]
    public void SquaresAndCongruencesEqualTheirMatrices()
    {
        var a = RandomSymmetric(3);
        var b = RandomSymmetric(4);
        var opA = new DenseOperator(a, N);
        var opB = new DenseOperator(b, N);
        AssertMatrix(Multiply(a, a), opA.Square());
        AssertMatrix(Multiply(b, Multiply(a, b)), new ProductOperator(opB, opA));
        const double eta = 0.1;
        var step = Combine(1, Identity(), -eta, a);
        AssertMatrix(Multiply(step, step), opA.Scale(-eta).Shift(1).Square());
    }

    [Fact]
    public void MeanOverOperatorsEqualsTheMeanMatrix()
    {
        var matrices = Enumerable.Range(0, 4).Select(i => RandomSymmetric(10 + (ulong)i)).ToArray();
        var expected = new double[N * N];
        foreach (var m in matrices)
        {
            var square = Multiply(m, m);
            for (int i = 0; i < expected.Length; i++) expected[i] += square[i] / matrices.Length;
        }
        // Ê_B[H_B²], the second-moment term of spec §7.12
        AssertMatrix(expected, new MeanOperator(matrices.Select(m => (ILinearOperator)new DenseOperator(m, N).Square()).ToArray()));
    }

    [Fact]
    public void RestrictionIsTheDiagonalBlock()
    {
        var a = RandomSymmetric(5);
        var op = new DenseOperator(a, N);
        var blocks = new[] { new ParameterBlock("fc1.weight", 0, 24), new ParameterBlock("fc1.bias", 24, 6), new ParameterBlock("fc2.weight", 30, 10) };
        var restricted = RestrictedOperator.ForBlocks(op, blocks);
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight"], restricted.Select(r => r.Block.Name));
        foreach (var r in restricted)
        {
            int c = r.Block.Count, o = r.Block.Offset;
            var expected = new double[c * c];
            for (int i = 0; i < c; i++)
                for (int j = 0; j < c; j++) expected[i * c + j] = a[(o + i) * N + o + j];
            AssertMatrix(expected, r);
        }
        // a layer-wise λ_max: the restricted operator goes straight into a solver
        var top = new Lanczos { Tolerance = 1e-10 }.Solve(op.Restrict(30, 10));
        var sub = new double[100];
        for (int i = 0; i < 10; i++)
            for (int j = 0; j < 10; j++) sub[i * 10 + j] = a[(30 + i) * N + 30 + j];
        Assert.Equal(SymmetricEigen.Decompose(sub, 10).Values[^1], top.Values[0], 1e-9);
    }

    [Fact]
    public void SizesAreValidatedUpFrontWithNamedCulprits()
    {
        var small = new DenseOperator(Identity(3), 3);
        var large = new DenseOperator(Identity(), N);
        Assert.Contains("term 1 has size 40", Assert.Throws<ArgumentException>(() => new SumOperator([small, large])).Message);
        Assert.Contains("2 weights for 1 terms", Assert.Throws<ArgumentException>(() => new SumOperator([small], [1, 2])).Message);
        Assert.Contains("operator 1 has size 40", Assert.Throws<ArgumentException>(() => new MeanOperator([small, large])).Message);
        Assert.Contains("inner operator has size 40", Assert.Throws<ArgumentException>(() => new ProductOperator(small, large)).Message);
        Assert.Contains("'fc2' = [38, 42)", Assert.Throws<ArgumentException>(() => new RestrictedOperator(large, new ParameterBlock("fc2", 38, 4))).Message);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => RestrictedOperator.ForBlocks(large, [new("w", 0, 2), new("w", 2, 2)])).Message);
        Assert.Contains("length 40", Assert.Throws<ArgumentException>(() => large.Apply(new double[3], new double[40])).Message);
        Assert.Contains("block of 2 vectors", Assert.Throws<ArgumentException>(() => ((ILinearOperator)small).ApplyBlock(new double[5], 2, new double[6])).Message);
    }
}
