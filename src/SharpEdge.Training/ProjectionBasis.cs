namespace SharpEdge.Training;

/// <summary>
/// The state of projected SGD (eoss_spec §10.4): orthonormal top-l eigenvectors of the full-data Hessian, their
/// eigenvalues and the step they were solved at. Each update is projected onto their span (or its complement)
/// until the next refresh; a checkpoint saves them, so a run resumed past the switch step projects onto the same
/// subspace (the original refuses to continue such runs).
/// </summary>
public sealed class ProjectionBasis
{
    public ProjectionBasis(double[][] vectors, double[] eigenvalues, long step)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(eigenvalues);
        if (vectors.Length == 0) throw new ArgumentException("a projection basis needs at least one vector");
        if (eigenvalues.Length != vectors.Length) throw new ArgumentException($"{vectors.Length} vectors, {eigenvalues.Length} eigenvalues");
        if (vectors.Any(v => v.Length != vectors[0].Length)) throw new ArgumentException("basis vectors of different lengths");
        Vectors = vectors;
        Eigenvalues = eigenvalues;
        Step = step;
    }

    /// <summary>Orthonormal vectors v_1 … v_l (float64, the parameter layout), in descending order of eigenvalue.</summary>
    public double[][] Vectors { get; }
    public double[] Eigenvalues { get; }

    /// <summary>The step whose θ the eigenvectors belong to.</summary>
    public long Step { get; }

    public int Rank => Vectors.Length;
    public int Size => Vectors[0].Length;

    public ProjectionBasis Clone() => new([.. Vectors.Select(v => (double[])v.Clone())], (double[])Eigenvalues.Clone(), Step);
}
