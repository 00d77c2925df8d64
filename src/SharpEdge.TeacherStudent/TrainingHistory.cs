namespace SharpEdge.TeacherStudent;

/// <summary>
/// The per-seed history of generate.py (phase_ml_spec §3.1, §3.3): W and dW (slots×K×L, initially 0) and loss
/// (slots, initially 100.0, which doubles as the "not written" sentinel), written only by the three rules below.
/// </summary>
/// <remarks>
/// dW means different things per slot (§8.2.5): slot 0 is the full-data gradient at initialisation, later slots
/// the mean of the epoch's mini-batch gradients; loss likewise (full-data loss, then mean pre-update batch loss).
/// </remarks>
public sealed class TrainingHistory
{
    /// <summary>generate.py's initial loss fill, left in place where nothing is written (e.g. after a divergence).</summary>
    public const double UnwrittenLoss = 100.0;

    private readonly int matrixSize;

    public TrainingHistory(SaveSchedule schedule, int hiddenUnits, int width)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenUnits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Schedule = schedule;
        HiddenUnits = hiddenUnits;
        Width = width;
        matrixSize = hiddenUnits * width;
        Weights = new double[schedule.SlotCount * matrixSize];
        Gradients = new double[schedule.SlotCount * matrixSize];
        Losses = new double[schedule.SlotCount];
        Losses.AsSpan().Fill(UnwrittenLoss);
    }

    public SaveSchedule Schedule { get; }

    /// <summary>K.</summary>
    public int HiddenUnits { get; }

    /// <summary>L.</summary>
    public int Width { get; }

    /// <summary>Student Wp per slot, (slots, K, L).</summary>
    public double[] Weights { get; }

    /// <summary>dW per slot, (slots, K, L).</summary>
    public double[] Gradients { get; }

    /// <summary>loss per slot, (slots).</summary>
    public double[] Losses { get; }

    /// <summary>Epoch index (0-based) in which a batch loss exceeded 100 and training stopped; null if none did.</summary>
    public int? DivergedAtEpoch { get; private set; }

    /// <summary>Slot 0: the initial student with its full-data gradient and loss.</summary>
    public void RecordInitial(ReadOnlySpan<double> student, ReadOnlySpan<double> fullGradient, double fullLoss) =>
        Write(0, student, fullGradient, fullLoss);

    /// <summary>End of a save epoch: the student after it, the mean batch gradient and the mean batch loss.</summary>
    public void RecordEpoch(int epochIndex, ReadOnlySpan<double> student, ReadOnlySpan<double> meanGradient, double meanLoss)
    {
        if (!Schedule.IsSaveEpoch(epochIndex))
            throw new ArgumentOutOfRangeException(nameof(epochIndex), epochIndex, "not a save epoch of this schedule");
        Write(Schedule.SlotOfEpoch(epochIndex), student, meanGradient, meanLoss);
    }

    /// <summary>
    /// A batch loss above 100 in epoch <paramref name="epochIndex"/> (§3.3): from slot <c>e // interval + 1</c>
    /// on — which for a non-save epoch is the previous save's slot, overwritten as in the original — every W
    /// slot gets the pre-update student and every dW slot that batch's gradient; loss slots keep what they hold.
    /// </summary>
    public void RecordDivergence(int epochIndex, ReadOnlySpan<double> preUpdateStudent, ReadOnlySpan<double> batchGradient)
    {
        CheckMatrix(preUpdateStudent, nameof(preUpdateStudent));
        CheckMatrix(batchGradient, nameof(batchGradient));
        if (DivergedAtEpoch is not null) throw new InvalidOperationException("a divergence was already recorded");
        for (int slot = Schedule.SlotOfEpoch(epochIndex); slot < Schedule.SlotCount; slot++)
        {
            preUpdateStudent.CopyTo(Weights.AsSpan(slot * matrixSize, matrixSize));
            batchGradient.CopyTo(Gradients.AsSpan(slot * matrixSize, matrixSize));
        }
        DivergedAtEpoch = epochIndex;
    }

    /// <summary>The K×L student of one slot.</summary>
    public ReadOnlySpan<double> WeightsAt(int slot) => Weights.AsSpan(slot * matrixSize, matrixSize);

    /// <summary>The K×L dW of one slot.</summary>
    public ReadOnlySpan<double> GradientAt(int slot) => Gradients.AsSpan(slot * matrixSize, matrixSize);

    private void Write(int slot, ReadOnlySpan<double> student, ReadOnlySpan<double> gradient, double loss)
    {
        CheckMatrix(student, nameof(student));
        CheckMatrix(gradient, nameof(gradient));
        student.CopyTo(Weights.AsSpan(slot * matrixSize, matrixSize));
        gradient.CopyTo(Gradients.AsSpan(slot * matrixSize, matrixSize));
        Losses[slot] = loss;
    }

    private void CheckMatrix(ReadOnlySpan<double> matrix, string name)
    {
        if (matrix.Length != matrixSize) throw new ArgumentException($"expected K·L = {matrixSize} values, got {matrix.Length}", name);
    }
}
