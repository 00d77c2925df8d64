namespace SharpEdge.Data.Subsets;

/// <summary>
/// NumPy's <c>SeedSequence</c> (numpy/random/bit_generator.pyx) for an integer entropy and no spawn key: the
/// entropy, as little-endian 32-bit words, is hashed into a pool of four words, and <see cref="GenerateState"/>
/// stretches the pool into the words a bit generator is seeded with. Bit-exact, so that
/// <c>np.random.default_rng(seed)</c> can be reproduced (eoss_spec §4.4).
/// </summary>
public sealed class SeedSequence
{
    private const int PoolSize = 4;
    private const uint InitA = 0x43b0d7e5, MultA = 0x931e8875, InitB = 0x8b51f9dd, MultB = 0x58f38ded;
    private const uint MixMultL = 0xca01f9dd, MixMultR = 0x4973f715;
    private const int XShift = 16;

    private readonly uint[] _pool = new uint[PoolSize];

    public SeedSequence(ulong entropy)
    {
        Entropy = entropy;
        // _int_to_uint32_array: the integer as 32-bit words, least significant first; 0 is one zero word
        uint[] words = entropy >> 32 == 0 ? [(uint)entropy] : [(uint)entropy, (uint)(entropy >> 32)];
        MixEntropy(words);
    }

    public ulong Entropy { get; }

    private void MixEntropy(uint[] entropy)
    {
        uint hashConst = InitA;
        for (int i = 0; i < PoolSize; i++)
            _pool[i] = HashMix(i < entropy.Length ? entropy[i] : 0u, ref hashConst);
        // every word affects every other one, so late entropy words reach early pool words
        for (int source = 0; source < PoolSize; source++)
        for (int destination = 0; destination < PoolSize; destination++)
            if (source != destination)
                _pool[destination] = Mix(_pool[destination], HashMix(_pool[source], ref hashConst));
        for (int source = PoolSize; source < entropy.Length; source++)
        for (int destination = 0; destination < PoolSize; destination++)
            _pool[destination] = Mix(_pool[destination], HashMix(entropy[source], ref hashConst));
    }

    private static uint HashMix(uint value, ref uint hashConst)
    {
        value ^= hashConst;
        hashConst *= MultA;
        value *= hashConst;
        value ^= value >> XShift;
        return value;
    }

    private static uint Mix(uint x, uint y)
    {
        uint result = MixMultL * x - MixMultR * y;
        return result ^ (result >> XShift);
    }

    /// <summary><c>generate_state(count, np.uint32)</c>: the pool cycled through a second hash.</summary>
    public uint[] GenerateState(int count)
    {
        var state = new uint[count];
        uint hashConst = InitB;
        for (int i = 0; i < count; i++)
        {
            uint value = _pool[i % PoolSize];
            value ^= hashConst;
            hashConst *= MultB;
            value *= hashConst;
            value ^= value >> XShift;
            state[i] = value;
        }
        return state;
    }

    /// <summary><c>generate_state(count, np.uint64)</c>: twice as many 32-bit words, paired little-endian.</summary>
    public ulong[] GenerateState64(int count)
    {
        var words = GenerateState(2 * count);
        var state = new ulong[count];
        for (int i = 0; i < count; i++) state[i] = words[2 * i] | (ulong)words[2 * i + 1] << 32;
        return state;
    }
}
