using System.Text;
using CinderBackup.Engine.Hashing;

namespace CinderBackup.Engine.Format;

/// <summary>
/// Writes a <c>_sha256file</c> (cinder-reference.md §1.5) front to back as the digests become known, so a full
/// backup can stream it while its objects are published, in offset order. Runs of zero blocks (a sparse volume's
/// holes, most of its list) are copies of one preformatted line: nothing is hashed, read or formatted for them.
/// The output is byte for byte what Cinder writes (<c>json.dumps(sha256file, sort_keys=True, indent=2)</c>).
/// </summary>
internal sealed class Sha256DocumentWriter
{
    private const int Batch = 4096;
    private const int LineLength = 4 + 1 + 64 + 1 + 2; // 4 spaces, quote, 64 hex, quote, comma, newline

    private readonly BufferedStream _w;
    private readonly long _count;
    private readonly DocumentHeader _header;
    private readonly byte[] _zero;
    private readonly byte[] _text = new byte[Batch * LineLength];
    private byte[]? _zeroLines;
    private byte[]? _digests;
    private long _written;

    /// <param name="count">How many digests the list will hold (the volume's hash blocks).</param>
    public Sha256DocumentWriter(Stream output, DocumentHeader header, long chunkSize, long count)
    {
        // Not disposed: that would close the caller's stream.
        _w = new BufferedStream(output, 1 << 16);
        _count = count;
        _header = header;
        _zero = ZeroData.Sha256(chunkSize);
        Text("{\n");
        Text($"  \"backup_description\": {Str(header.BackupDescription)},\n");
        Text($"  \"backup_id\": {Str(header.BackupId)},\n");
        Text($"  \"backup_name\": {Str(header.BackupName)},\n");
        Text($"  \"chunk_size\": {chunkSize},\n");
        Text($"  \"created_at\": {Str(header.CreatedAt)},\n");
        Text(count == 0 ? "  \"sha256s\": [],\n" : "  \"sha256s\": [\n");
        FormatLines(_text);
    }

    /// <summary>Digests written so far.</summary>
    public long Written => _written;

    /// <summary>Appends 32-byte digests, in block order.</summary>
    public void Append(ReadOnlySpan<byte> digests)
    {
        for (var at = 0; at < digests.Length; at += Batch * HashFile.HashSize)
        {
            var batch = digests.Slice(at, Math.Min(Batch * HashFile.HashSize, digests.Length - at));
            var n = batch.Length / HashFile.HashSize;
            for (var k = 0; k < n; k++)
            {
                var digest = batch.Slice(k * HashFile.HashSize, HashFile.HashSize);
                var hex = _text.AsSpan(k * LineLength + 5, 64);
                if (digest.SequenceEqual(_zero))
                {
                    ZeroLines().AsSpan(5, 64).CopyTo(hex);
                }
                else
                {
                    Hex.WriteLower(digest, hex);
                }
            }
            Lines(_text, n);
        }
    }

    /// <summary>Appends the digest of a whole zero block <paramref name="blocks"/> times.</summary>
    public void AppendZeroBlocks(long blocks)
    {
        var lines = ZeroLines();
        while (blocks > 0)
        {
            var n = (int)Math.Min(Batch, blocks);
            Lines(lines, n);
            blocks -= n;
        }
    }

    /// <summary>Appends the digests of blocks [<paramref name="first"/>, <paramref name="first"/> + <paramref name="n"/>) from a hash file.</summary>
    public void AppendFrom(HashFile hashes, long first, long n)
    {
        _digests ??= new byte[Batch * HashFile.HashSize]; // one for the document, not one per object
        for (long i = 0; i < n; i += Batch)
        {
            var span = _digests.AsSpan(0, (int)Math.Min(Batch, n - i) * HashFile.HashSize);
            hashes.Read(first + i, span);
            Append(span);
        }
    }

    /// <summary>Ends the document; every digest must have been appended.</summary>
    public void Finish()
    {
        if (_written != _count)
        {
            throw new InvalidOperationException($"The sha256 list has {_written} digests; {_count} were announced.");
        }
        if (_count > 0)
        {
            Text("  ],\n");
        }
        Text($"  \"version\": {Str(MetadataDocument.DriverVersion)},\n");
        Text($"  \"volume_id\": {Str(_header.VolumeId)}\n");
        Text("}");
        _w.Flush();
    }

    /// <summary>Writes the first <paramref name="n"/> lines of <paramref name="lines"/>; the list's last line has no comma.</summary>
    private void Lines(byte[] lines, int n)
    {
        if (_written + n > _count)
        {
            throw new InvalidOperationException($"The sha256 list was announced with {_count} digests; {_written + n} were given.");
        }
        _written += n;
        if (_written < _count)
        {
            _w.Write(lines, 0, n * LineLength);
            return;
        }
        _w.Write(lines, 0, n * LineLength - 2);
        _w.WriteByte((byte)'\n');
    }

    private byte[] ZeroLines()
    {
        if (_zeroLines is null)
        {
            var lines = new byte[Batch * LineLength];
            FormatLines(lines);
            for (var k = 0; k < Batch; k++)
            {
                Hex.WriteLower(_zero, lines.AsSpan(k * LineLength + 5, 64));
            }
            _zeroLines = lines;
        }
        return _zeroLines;
    }

    private static void FormatLines(byte[] lines)
    {
        for (var k = 0; k < Batch; k++)
        {
            "    \""u8.CopyTo(lines.AsSpan(k * LineLength));
            "\",\n"u8.CopyTo(lines.AsSpan(k * LineLength + 69));
        }
    }

    private void Text(string s) => _w.Write(Encoding.UTF8.GetBytes(s));

    private static string Str(string? s) => s is null ? "null" : PyJson.Quote(s);
}
