namespace CinderBackup.Bench;

/// <summary>
/// The "mixed" content of the benchmark volumes: runs of 256 KiB to 8 MiB, in turn compressible text, random
/// bytes and zeros (each kind a third of the bytes on average, in shuffled order), produced as one
/// deterministic stream.
/// </summary>
internal sealed class MixedData
{
    private const int Unit = 64 * 1024;
    private readonly TextGenerator _text;
    private Prng _rng;
    private long _left;
    private int _kind;
    private readonly int[] _order = { 0, 1, 2 };
    private int _turn = 3;

    public MixedData(ulong seed)
    {
        _rng = new Prng(seed);
        _text = new TextGenerator(seed ^ 0x7E57);
    }

    public void Fill(Span<byte> data)
    {
        while (data.Length > 0)
        {
            if (_left == 0)
            {
                NextRun();
            }
            var n = (int)Math.Min(_left, data.Length);
            var span = data[..n];
            switch (_kind)
            {
                case 0:
                    _text.Fill(ref _rng, span);
                    break;
                case 1:
                    _rng.Fill(span);
                    break;
                default:
                    span.Clear();
                    break;
            }
            _left -= n;
            data = data[n..];
        }
    }

    private void NextRun()
    {
        if (_turn == 3)
        {
            for (var i = 2; i > 0; i--)
            {
                var j = _rng.Below(i + 1);
                (_order[i], _order[j]) = (_order[j], _order[i]);
            }
            _turn = 0;
        }
        _kind = _order[_turn++];
        _left = (long)(4 + _rng.Below(125)) * Unit;
    }
}
