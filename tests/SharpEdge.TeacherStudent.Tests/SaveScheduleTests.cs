namespace SharpEdge.TeacherStudent.Tests;

// Expected lists written out by hand from phase_ml_spec §3.2, not from the implementation's formula.
public class SaveScheduleTests
{
    private static void AssertSchedule(int epochs, int[] savedEpochIndices, long[] completedPerSlot)
    {
        var schedule = SaveSchedule.For(epochs);
        Assert.Equal(savedEpochIndices, schedule.SavedEpochIndices());
        Assert.Equal(completedPerSlot, schedule.CompletedEpochsPerSlot());
        Assert.Equal(completedPerSlot.Length, schedule.SlotCount);
        var saved = new HashSet<int>(savedEpochIndices);
        for (int e = 0; e < epochs; e++) Assert.Equal(saved.Contains(e), schedule.IsSaveEpoch(e));
        for (int i = 0; i < savedEpochIndices.Length; i++) Assert.Equal(i + 1, schedule.SlotOfEpoch(savedEpochIndices[i]));
    }

    [Fact]
    public void ThreeEpochsSaveEveryEpoch() =>
        AssertSchedule(3, [0, 1, 2], [0, 1, 2, 3]);

    [Fact]
    public void TwentyEpochsSaveEveryEpoch() =>
        AssertSchedule(20,
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);

    [Fact]
    public void HundredEpochsSaveEveryFifthFromTheFirst() =>
        AssertSchedule(100,
            [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95],
            [0, 1, 6, 11, 16, 21, 26, 31, 36, 41, 46, 51, 56, 61, 66, 71, 76, 81, 86, 91, 96]);

    // The paper: slots after 1, 5 001, …, 95 001 epochs; the last 4 999 epochs are never saved.
    [Fact]
    public void PaperScheduleEndsAfter95001Epochs()
    {
        AssertSchedule(100_000,
            [0, 5000, 10000, 15000, 20000, 25000, 30000, 35000, 40000, 45000,
             50000, 55000, 60000, 65000, 70000, 75000, 80000, 85000, 90000, 95000],
            [0, 1, 5001, 10001, 15001, 20001, 25001, 30001, 35001, 40001, 45001,
             50001, 55001, 60001, 65001, 70001, 75001, 80001, 85001, 90001, 95001]);
        Assert.Equal(95_000, SaveSchedule.For(100_000).LastSavedEpochIndex);
    }

    // A divergence in a non-save epoch fills from the slot of the previous save (§3.3): e = 7 of 100 → slot 2.
    [Fact]
    public void SlotOfANonSaveEpochIsThePreviousSavesSlot()
    {
        Assert.Equal(2, SaveSchedule.For(100).SlotOfEpoch(7));
        Assert.Equal(20, SaveSchedule.For(100_000).SlotOfEpoch(99_999));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(25)]
    [InlineData(30)]
    [InlineData(100_001)]
    public void EpochCountsTheOriginalCannotSaveAreRejected(int epochs)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SaveSchedule.For(epochs));
        Assert.Contains("multiple of 20", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NonPositiveEpochCountsAreRejected(int epochs) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SaveSchedule.For(epochs));
}
