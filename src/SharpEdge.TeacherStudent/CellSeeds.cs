using SharpEdge.Numerics;

namespace SharpEdge.TeacherStudent;

/// <summary>
/// Model seeds for a cell. generate.py draws an independent teacher, data set and student for every seed of
/// every cell (phase_ml_spec §1.2); <see cref="Derive"/> keeps that: the seed of model i is a hash of
/// (base seed, lr, eps, i), so cells do not share teachers, and seeds i ≥ 10 added later leave 0 … 9 as they
/// were. Passing the same small seeds to every cell instead gives common random numbers across cells (same
/// teacher and data, students differing only in scale), a different ensemble design.
/// </summary>
public static class CellSeeds
{
    /// <summary>Seeds of models <paramref name="firstIndex"/> … firstIndex + count − 1 of the cell, each in [0, 2^63).</summary>
    public static long[] Derive(TeacherStudentConfig config, long baseSeed, int firstIndex, int count)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegative(firstIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var seeds = new long[count];
        ulong cell = Mix(Mix(Mix((ulong)baseSeed) ^ Bits(config.LearningRate)) ^ Bits(config.StudentWidth));
        for (int i = 0; i < count; i++) seeds[i] = (long)(Mix(cell ^ (ulong)(firstIndex + i)) >> 1);
        return seeds;
    }

    // A bijection of 64-bit words (one SplitMix64 output), chained so every input affects every output bit.
    private static ulong Mix(ulong value) => Rng.SplitMix64(ref value);

    private static ulong Bits(double value) => (ulong)BitConverter.DoubleToInt64Bits(value);
}
