namespace CinderBackup.Engine.Codecs;

/// <summary>
/// Whether data is worth compressing, judged from the byte entropy of a 16 KiB sample spread over it (a few
/// microseconds per MiB): random or already compressed data measures 7.98-8 bits per byte; text, binaries and
/// file systems measure well under 7.
/// </summary>
internal static class Compressibility
{
    private const int Slices = 16;
    private const int Slice = 1024;
    private const double Threshold = 7.9;

    public static bool IsHopeless(ReadOnlySpan<byte> data)
    {
        if (data.Length < Slices * Slice)
        {
            return false;
        }
        Span<int> counts = stackalloc int[256];
        for (var i = 0; i < Slices; i++)
        {
            foreach (var b in data.Slice((int)((long)i * (data.Length - Slice) / (Slices - 1)), Slice))
            {
                counts[b]++;
            }
        }
        double entropy = 0;
        const double n = Slices * Slice;
        foreach (var c in counts)
        {
            if (c > 0)
            {
                var p = c / n;
                entropy -= p * Math.Log2(p);
            }
        }
        return entropy > Threshold;
    }
}
