using SharpEdge.Curvature.Measurements;
using SharpEdge.Nn;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature.Tests.Measurements;

/// <summary>
/// Small float64 networks and data for the measurement tests, and independent references: Hessians and
/// Gauss-Newton matrices built column by column from exact products, Jacobians from JVPs of unit vectors, and
/// a cyclic Jacobi eigensolver that shares no code with the solvers under test.
/// </summary>
public static class NetworkFixtures
{
    /// <summary>A tanh MLP 5-6-4-3 (79 parameters): smooth, so its Hessian spectrum has no zero clusters.</summary>
    public const string Spec = "mlp:5-6-4-3:tanh";

    public static Network<double> Network(string spec = Spec) =>
        ModelSpec.Parse(spec).Build<double>([5], int.Parse(spec.Split(':')[1].Split('-')[^1]));

    public static Samples<double> Data(string loss, int count, int outputs = 3, ulong seed = 3)
    {
        var rng = new Rng(seed);
        var x = new double[count * 5];
        rng.FillNormal(x);
        if (loss == "ce") return new Samples<double>(x, [5], null, outputs, Enumerable.Range(0, count).Select(_ => rng.NextInt(outputs)).ToArray());
        var y = new double[count * outputs];
        rng.FillNormal(y);
        return new Samples<double>(x, [5], y, outputs, null);
    }

    public static double[] Parameters(Network<double> network, ulong seed = 11, double scale = 0.8)
    {
        var rng = new Rng(seed);
        var theta = new double[network.ParameterCount];
        rng.FillNormal(theta);
        for (int i = 0; i < theta.Length; i++) theta[i] *= scale;
        return theta;
    }

    /// <summary>The objective and θ of a small problem: n samples, mse or ce.</summary>
    public static (Objective<double> Objective, double[] Theta) Problem(string loss = "mse", int count = 12, ulong seed = 3)
    {
        var network = Network();
        return (new Objective<double>(network, Loss<double>.FromName(loss), Data(loss, count, seed: seed)), Parameters(network));
    }

    public static MeasurementContext<double> Context(Objective<double> objective, double[] theta, ulong seed = 0, int? batch = null,
        EigenMethod method = EigenMethod.Auto, double? lr = null, int threads = 2, MonteCarloSettings? monteCarlo = null) =>
        new(objective, theta)
        {
            Seed = seed, BatchSize = batch, Method = method, LearningRate = lr, Threads = threads, MonteCarlo = monteCarlo ?? new(),
        };

    /// <summary>A matrix from its columns A e_j, symmetrised (row-major n×n).</summary>
    public static double[] FromColumns(int n, Action<double[], double[]> apply)
    {
        var a = new double[n * n];
        var e = new double[n];
        var column = new double[n];
        for (int j = 0; j < n; j++)
        {
            Array.Clear(e);
            e[j] = 1;
            apply(e, column);
            for (int i = 0; i < n; i++) a[i * n + j] = column[i];
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
        return a;
    }

    /// <summary>The Hessian of a linearized objective, column by column from exact H·e_j.</summary>
    public static double[] Hessian(Objective<double> objective) =>
        FromColumns(objective.ParameterCount, (e, column) => objective.HessianVectorProduct(e, column));

    /// <summary>The Hessian of L_B for the samples at <paramref name="batch"/>.</summary>
    public static double[] BatchHessian(Objective<double> full, double[] theta, ReadOnlySpan<int> batch)
    {
        var objective = new Objective<double>(full.Network, full.Loss, full.Data.Gather(batch));
        objective.Linearize(theta, new double[theta.Length]);
        return Hessian(objective);
    }

    /// <summary>Every b-subset of [0, n) in lexicographic order.</summary>
    public static IEnumerable<int[]> Subsets(int n, int b)
    {
        var current = Enumerable.Range(0, b).ToArray();
        while (true)
        {
            yield return (int[])current.Clone();
            int i = b - 1;
            while (i >= 0 && current[i] == n - b + i) i--;
            if (i < 0) yield break;
            current[i]++;
            for (int j = i + 1; j < b; j++) current[j] = current[j - 1] + 1;
        }
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>
    /// Eigenvalues (descending) and unit eigenvectors (as rows) of a symmetric matrix by the cyclic Jacobi method of
    /// <see cref="SymmetricEigen"/>, a reference independent of the Krylov and Householder solvers under test.
    /// </summary>
    public static (double[] Values, double[][] Vectors) Jacobi(double[] matrix, int n)
    {
        var (ascending, columns) = SymmetricEigen.Decompose(matrix, n);
        var order = Enumerable.Range(0, n).Reverse().ToArray();
        return (order.Select(i => ascending[i]).ToArray(),
                order.Select(j => Enumerable.Range(0, n).Select(k => columns[k * n + j]).ToArray()).ToArray());
    }

    public static double[] Eigenvalues(double[] matrix, int n) => Jacobi(matrix, n).Values;
}
