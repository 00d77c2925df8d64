using System.Numerics;

namespace SharpEdge.Data.Subsets;

/// <summary>
/// NumPy's <c>PCG64</c> bit generator: the 128-bit linear congruential state of O'Neill's PCG with the XSL-RR
/// output (64 bits per step), seeded from a <see cref="SeedSequence"/> as <c>np.random.PCG64(seed)</c> does.
/// <see cref="NextUInt32"/> reproduces numpy's buffering: one 64-bit output serves two 32-bit draws, the low
/// half first.
/// </summary>
public sealed class Pcg64
{
    private static readonly UInt128 Multiplier = new(2549297995355413924UL, 4865540595714422341UL);

    private UInt128 _state;
    private readonly UInt128 _increment;
    private bool _hasUInt32;
    private uint _bufferedUInt32;

    /// <summary>pcg_setseq_128_srandom_r: the stream is selected by <paramref name="sequence"/>.</summary>
    public Pcg64(UInt128 state, UInt128 sequence)
    {
        _increment = (sequence << 1) | 1;
        _state = 0;
        Step();
        _state += state;
        Step();
    }

    /// <summary><c>np.random.PCG64(seed)</c>: four 64-bit words of the seed sequence are the state (high, low) and the stream.</summary>
    public Pcg64(SeedSequence seed) : this(Words(seed, 0), Words(seed, 2)) { }

    public Pcg64(ulong seed) : this(new SeedSequence(seed)) { }

    private static UInt128 Words(SeedSequence seed, int first)
    {
        var words = seed.GenerateState64(4);
        return new UInt128(words[first], words[first + 1]);
    }

    private void Step() => _state = _state * Multiplier + _increment;

    public ulong NextUInt64()
    {
        Step();
        // XSL-RR: fold the halves together and rotate by the top six bits
        var high = (ulong)(_state >> 64);
        var low = (ulong)_state;
        return BitOperations.RotateRight(high ^ low, (int)(high >> 58));
    }

    public uint NextUInt32()
    {
        if (_hasUInt32)
        {
            _hasUInt32 = false;
            return _bufferedUInt32;
        }
        ulong next = NextUInt64();
        _hasUInt32 = true;
        _bufferedUInt32 = (uint)(next >> 32);
        return (uint)next;
    }
}
