namespace CinderBackup.Engine.Codecs;

/// <summary>Adler-32 (RFC 1950), the checksum that ends a zlib stream.</summary>
internal struct Adler32
{
    private const uint Mod = 65521;
    private const int MaxRun = 5552; // the most bytes before the sums must be reduced
    private uint _a;
    private uint _b;

    public Adler32()
    {
        _a = 1;
        _b = 0;
    }

    public readonly uint Value => (_b << 16) | _a;

    public void Append(ReadOnlySpan<byte> data)
    {
        uint a = _a, b = _b;
        while (data.Length > 0)
        {
            var run = data[..Math.Min(MaxRun, data.Length)];
            foreach (var x in run)
            {
                a += x;
                b += a;
            }
            a %= Mod;
            b %= Mod;
            data = data[run.Length..];
        }
        (_a, _b) = (a, b);
    }
}
