using System.Runtime.InteropServices;

namespace CinderBackup.Bench;

/// <summary>
/// xoshiro256** seeded through SplitMix64: the same seed gives the same bytes on every machine and runtime
/// (System.Random's sequence is not promised across .NET versions), and it fills gigabytes quickly.
/// </summary>
internal struct Prng
{
    private ulong _s0, _s1, _s2, _s3;

    public Prng(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    public ulong Next()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A number in [0, n).</summary>
    public int Below(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);

    public void Fill(Span<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = Next();
        }
        for (var i = words.Length * 8; i < data.Length; i++)
        {
            data[i] = (byte)Next();
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
