namespace SharpEdge.TeacherStudent.Analysis;

/// <summary>
/// The notebook's test inputs: <c>np.random.seed(42); np.random.normal(0., 1., size=(128, 3))</c>, shared by every
/// model (each pushes them through its own first layer M). phase_ml_spec §2 and §10.3.
/// </summary>
public static class PhaseTestSet
{
    public const int Count = 128;
    public const int Dimension = 3;
    public const uint Seed = 42;

    /// <summary>The 128×3 inputs, row-major (a fresh copy).</summary>
    public static double[] Inputs() => new LegacyNumpyRandom(Seed).Normal(0.0, 1.0, Count * Dimension);

    /// <summary>
    /// Test inputs for D-dimensional models: the same stream drawn as (128, D). For D = 3 this is
    /// <see cref="Inputs"/>; other input sizes have no notebook counterpart.
    /// </summary>
    public static double[] Inputs(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        return new LegacyNumpyRandom(Seed).Normal(0.0, 1.0, Count * dimension);
    }
}
