namespace CinderBackup.Bench;

/// <summary>
/// Compressible "text": lines of pseudo-words drawn with a skewed (Zipf-like) frequency from a fixed vocabulary,
/// with numbers and punctuation, like logs or documents. zstd -1 shrinks it about 3x, zlib -6 a little more.
/// </summary>
internal sealed class TextGenerator
{
    private const int VocabularySize = 4096;
    private static readonly byte[] Letters = "etaoinshrdlcumwfgypbvkjxqz"u8.ToArray();
    private readonly byte[][] _words = new byte[VocabularySize][];

    public TextGenerator(ulong seed)
    {
        var rng = new Prng(seed);
        for (var i = 0; i < VocabularySize; i++)
        {
            var word = new byte[2 + rng.Below(9)];
            for (var k = 0; k < word.Length; k++)
            {
                // Common letters more often, as in natural text.
                word[k] = Letters[rng.Below(rng.Below(Letters.Length) + 1)];
            }
            _words[i] = word;
        }
    }

    public void Fill(ref Prng rng, Span<byte> data)
    {
        var pos = 0;
        var column = 0;
        Span<byte> number = stackalloc byte[12];
        while (pos < data.Length)
        {
            var choice = rng.Below(100);
            scoped ReadOnlySpan<byte> token;
            if (choice < 6)
            {
                var value = rng.Below(1_000_000);
                value.TryFormat(number, out var n, provider: System.Globalization.CultureInfo.InvariantCulture);
                token = number[..n];
            }
            else
            {
                // The product of two uniform draws favours small indexes: a few words are very common.
                token = _words[rng.Below(rng.Below(VocabularySize) + 1)];
            }
            var n2 = Math.Min(token.Length, data.Length - pos);
            token[..n2].CopyTo(data[pos..]);
            pos += n2;
            column += n2;
            if (pos >= data.Length)
            {
                break;
            }
            data[pos++] = column > 72 ? (byte)'\n' : choice > 92 ? (byte)',' : (byte)' ';
            column = data[pos - 1] == '\n' ? 0 : column + 1;
        }
    }
}
