using SharpEdge.Curvature;
using static SharpEdge.Training.Tests.DoubleProblem;

namespace SharpEdge.Training.Tests;

public sealed class HessianSubspaceTests
{
    [Theory]
    [InlineData("mse", 3)]
    [InlineData("ce", 5)]
    public void Projected_updates_lie_inside_or_orthogonal_to_the_top_l_eigenspace_of_the_dense_hessian(string loss, int l)
    {
        var problem = new DoubleProblem("mlp:5-7-3:tanh", 5, 3, 16, loss, seed: 21);
        var full = problem.Full();
        int p = problem.P;
        // the reference: eigenvectors of the dense Hessian (exact products, checked against finite differences)
        var dense = ExactHessian(full, problem.Theta);
        var fd = FiniteDifferenceHessian(problem.Full(), problem.Theta);
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++) Assert.Equal(fd[i, j], dense[i * p + j], 1e-6);
        var (values, vectors) = DenseEigen.Decompose(dense, p);   // ascending, eigenvectors as columns
        var top = Enumerable.Range(0, l).Select(k => Enumerable.Range(0, p).Select(r => vectors[r * p + (p - 1 - k)]).ToArray()).ToArray();
        Assert.True(values[p - l] - values[p - l - 1] > 1e-3 * values[p - 1]);   // a gap, so the subspace is well defined

        var basis = HessianSubspace.Solve(full, problem.Theta, l, step: 7, seed: 1);
        Assert.Equal(7, basis.Step);
        for (int k = 0; k < l; k++) Assert.Equal(values[p - 1 - k], basis.Eigenvalues[k], 1e-9 * Math.Abs(values[p - 1]));

        var g = Gradient(problem.Batch([0, 3, 4, 9]), problem.Theta);
        var inside = new double[p];
        var outside = new double[p];
        var coefficients = new double[l];
        var (keptIn, total) = HessianSubspace.Project<double>(basis, g, inside, residual: false, coefficients);
        var (keptOut, _) = HessianSubspace.Project<double>(basis, g, outside, residual: true, coefficients);

        var scale = Norm(g);
        var reconstructed = new double[p];   // V_d V_dᵀ g from the dense eigenvectors
        foreach (var v in top)
        {
            var c = Dot(v, g);
            for (int j = 0; j < p; j++) reconstructed[j] += c * v[j];
        }
        Assert.InRange(Distance(inside, reconstructed) / scale, 0, 1e-10);
        foreach (var v in top) Assert.InRange(Math.Abs(Dot(v, outside)) / scale, 0, 1e-10);
        Assert.InRange(Distance([.. inside.Zip(outside, (a, b) => a + b)], g) / scale, 0, 1e-14);
        Assert.Equal(Dot(g, g), total, 1e-12 * total);
        Assert.Equal(Dot(inside, inside), keptIn, 1e-12 * total);
        Assert.Equal(Dot(outside, outside), keptOut, 1e-12 * total);
        Assert.True(keptIn > 1e-6 * total && keptOut > 1e-6 * total);   // both parts are there to be kept
    }
}
