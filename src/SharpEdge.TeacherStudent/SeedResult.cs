namespace SharpEdge.TeacherStudent;

/// <summary>
/// One trained ensemble member: its seed, the frozen matrices it was drawn with and its history
/// (phase_ml_spec §3.4: W, dW, loss per slot; Wt, Z, M).
/// </summary>
public sealed class SeedResult
{
    public SeedResult(long seed, TeacherStudentModel model, TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(history);
        Seed = seed;
        FirstLayer = model.FirstLayer;
        Teacher = model.Teacher;
        Readout = model.Readout;
        History = history;
    }

    /// <summary>The seed <see cref="TeacherStudentModel.Generate"/> drew the model from.</summary>
    public long Seed { get; }

    /// <summary>M, L×D.</summary>
    public double[] FirstLayer { get; }

    /// <summary>Wt, K×L.</summary>
    public double[] Teacher { get; }

    /// <summary>Z, 1×K.</summary>
    public double[] Readout { get; }

    /// <summary>W, dW and loss per save slot.</summary>
    public TrainingHistory History { get; }
}
