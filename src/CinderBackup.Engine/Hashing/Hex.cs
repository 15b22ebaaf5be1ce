namespace CinderBackup.Engine.Hashing;

/// <summary>Lowercase hex, as Python's hexdigest writes it.</summary>
internal static class Hex
{
    private static readonly byte[] Digits = "0123456789abcdef"u8.ToArray();

    public static string Lower(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>Each byte's two digits as one little-endian ushort: a table lookup per byte.</summary>
    private static readonly ushort[] Pairs = Enumerable.Range(0, 256).Select(b => (ushort)(Digits[b >> 4] | (Digits[b & 0xf] << 8))).ToArray();

    public static void WriteLower(ReadOnlySpan<byte> bytes, Span<byte> utf8)
    {
        if (!BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                utf8[2 * i] = Digits[bytes[i] >> 4];
                utf8[2 * i + 1] = Digits[bytes[i] & 0xf];
            }
            return;
        }
        var pairs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(utf8[..(2 * bytes.Length)]);
        for (var i = 0; i < bytes.Length; i++)
        {
            pairs[i] = Pairs[bytes[i]];
        }
    }

    /// <summary>Decodes hex digits (either case) from UTF-8; false when the text is not exactly that many bytes of hex.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> utf8, Span<byte> bytes)
    {
        if (utf8.Length != bytes.Length * 2)
        {
            return false;
        }
        for (var i = 0; i < bytes.Length; i++)
        {
            var hi = Value(utf8[2 * i]);
            var lo = Value(utf8[2 * i + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }
            bytes[i] = (byte)((hi << 4) | lo);
        }
        return true;
    }

    private static int Value(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
