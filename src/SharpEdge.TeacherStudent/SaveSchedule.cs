namespace SharpEdge.TeacherStudent;

/// <summary>
/// generate.py's save schedule, quirks included (phase_ml_spec §3.2): <c>save_points = min(20, epochs)</c>,
/// slots = save_points + 1, <c>index_interval = epochs // save_points</c>, and epoch index e (0-based) is saved
/// when it lies on the float grid <c>linspace(0, epochs, save_points + 1)</c>, into slot <c>e // interval + 1</c>.
/// Slot 0 is the initial state. Slot i ≥ 1 therefore holds the state after (i − 1)·interval + 1 completed
/// epochs: for 100 000 epochs after 1, 5 001, …, 95 001 — the last 4 999 epochs are never saved.
/// </summary>
/// <remarks>
/// For epochs &gt; 20 that are not multiples of 20 the original's grid holds non-integers and the slot index
/// outruns the history (IndexError for e.g. 30 epochs) or slots stay unwritten (21 epochs); such counts are
/// rejected here rather than reproduced (phase_ml_spec §8.2.2, §10.1.3).
/// </remarks>
public sealed class SaveSchedule
{
    /// <summary>Most save points the original keeps besides the initial state.</summary>
    public const int MaxSavePoints = 20;

    private SaveSchedule(int epochs)
    {
        Epochs = epochs;
        SavePoints = Math.Min(MaxSavePoints, epochs);
        Interval = epochs / SavePoints;
    }

    /// <summary>The schedule for <paramref name="epochs"/> epochs; throws where the original cannot save correctly.</summary>
    public static SaveSchedule For(int epochs)
    {
        string? problem = Check(epochs);
        if (problem is not null) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, problem);
        return new SaveSchedule(epochs);
    }

    /// <summary>Null when the original's schedule handles <paramref name="epochs"/>, else why not.</summary>
    public static string? Check(int epochs)
    {
        if (epochs < 1) return $"epochs must be at least 1, got {epochs}";
        if (epochs > MaxSavePoints && epochs % MaxSavePoints != 0)
            return $"epochs = {epochs} cannot be saved by phase_ml's schedule: above {MaxSavePoints} epochs it saves on the grid " +
                   $"linspace(0, epochs, 21), which holds non-integer epochs unless epochs is a multiple of {MaxSavePoints} " +
                   $"(the original then skips or overruns its 21 history slots); use a multiple of {MaxSavePoints}, e.g. " +
                   $"{epochs / MaxSavePoints * MaxSavePoints} or {(epochs / MaxSavePoints + 1) * MaxSavePoints}, or at most {MaxSavePoints} epochs";
        return null;
    }

    /// <summary>Total epochs the original trains.</summary>
    public int Epochs { get; }

    /// <summary><c>min(20, epochs)</c>: saved states besides the initial one.</summary>
    public int SavePoints { get; }

    /// <summary>History slots: the initial state plus <see cref="SavePoints"/>.</summary>
    public int SlotCount => SavePoints + 1;

    /// <summary><c>epochs // save_points</c>: epochs between saves.</summary>
    public int Interval { get; }

    /// <summary>The last epoch index that is saved; later epochs affect no output except through divergence (§3.3).</summary>
    public int LastSavedEpochIndex => (SavePoints - 1) * Interval;

    /// <summary>True when the state at the end of epoch index <paramref name="epochIndex"/> (0-based) is saved.</summary>
    public bool IsSaveEpoch(int epochIndex) =>
        epochIndex >= 0 && epochIndex % Interval == 0 && epochIndex / Interval < SavePoints;

    /// <summary>
    /// The original's <c>idx = e // index_interval + 1</c>: the slot a save at the end of epoch index e writes, and
    /// the first slot a divergence in epoch e fills (which for a non-save epoch is the already written slot of
    /// the previous save — the off-by-one of phase_ml_spec §3.3).
    /// </summary>
    public int SlotOfEpoch(int epochIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epochIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(epochIndex, Epochs);
        return epochIndex / Interval + 1;
    }

    /// <summary>Epoch index e (0-based) saved into slot i + 1, for i = 0 … SavePoints − 1.</summary>
    public int[] SavedEpochIndices()
    {
        var indices = new int[SavePoints];
        for (int i = 0; i < indices.Length; i++) indices[i] = i * Interval;
        return indices;
    }

    /// <summary>Completed epochs at each slot: 0 for the initial state, then e + 1 for each saved epoch index e.</summary>
    public long[] CompletedEpochsPerSlot()
    {
        var completed = new long[SlotCount];
        for (int slot = 1; slot < completed.Length; slot++) completed[slot] = (long)(slot - 1) * Interval + 1;
        return completed;
    }
}
