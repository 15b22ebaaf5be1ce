using System.Text;
using System.Text.Json;
using CinderBackup.Engine.Json;

namespace CinderBackup.Engine.Transfer;

/// <summary>
/// A backup's <c>_sha256file</c> (cinder-reference.md §1.5): the SHA-256 of every block of the volume as read.
/// Written from, and read into, a <see cref="HashFile"/> so its size never matters.
/// </summary>
internal static class Sha256Document
{
    public sealed record Header(string? BackupId, string? VolumeId, long ChunkSize, string? Version);

    public static void Write(Stream output, DocumentHeader header, long chunkSize, HashFile hashes)
    {
        // Not disposed: that would close the caller's stream.
        var w = new BufferedStream(output, 1 << 16);
        void Text(string s) => w.Write(Encoding.UTF8.GetBytes(s));
        Text("{\n");
        Text($"  \"backup_description\": {Str(header.BackupDescription)},\n");
        Text($"  \"backup_id\": {Str(header.BackupId)},\n");
        Text($"  \"backup_name\": {Str(header.BackupName)},\n");
        Text($"  \"chunk_size\": {chunkSize},\n");
        Text($"  \"created_at\": {Str(header.CreatedAt)},\n");
        if (hashes.Count == 0)
        {
            Text("  \"sha256s\": [],\n");
        }
        else
        {
            Text("  \"sha256s\": [\n");
            const int Batch = 4096;
            const int LineLength = 4 + 1 + 64 + 1 + 2; // 4 spaces, quote, 64 hex, quote, comma, newline
            var digests = new byte[Batch * HashFile.HashSize];
            var text = new byte[Batch * LineLength];
            for (var k = 0; k < Batch; k++)
            {
                "    \""u8.CopyTo(text.AsSpan(k * LineLength));
                "\",\n"u8.CopyTo(text.AsSpan(k * LineLength + 69));
            }
            // Holes and zero blocks are most of a sparse volume: their line is copied, not formatted.
            var zero = ZeroData.Sha256(chunkSize);
            var zeroHex = new byte[64];
            Hex.WriteLower(zero, zeroHex);
            for (long i = 0; i < hashes.Count; i += Batch)
            {
                var n = (int)Math.Min(Batch, hashes.Count - i);
                hashes.Read(i, digests.AsSpan(0, n * HashFile.HashSize));
                for (var k = 0; k < n; k++)
                {
                    var digest = digests.AsSpan(k * HashFile.HashSize, HashFile.HashSize);
                    var hex = text.AsSpan(k * LineLength + 5, 64);
                    if (digest.SequenceEqual(zero))
                    {
                        zeroHex.CopyTo(hex);
                    }
                    else
                    {
                        Hex.WriteLower(digest, hex);
                    }
                }
                if (i + n == hashes.Count)
                {
                    // The last line has no comma.
                    text[(n - 1) * LineLength + 70] = (byte)'\n';
                    w.Write(text, 0, n * LineLength - 1);
                }
                else
                {
                    w.Write(text, 0, n * LineLength);
                }
            }
            Text("  ],\n");
        }
        Text($"  \"version\": {Str(MetadataDocument.DriverVersion)},\n");
        Text($"  \"volume_id\": {Str(header.VolumeId)}\n");
        Text("}");
        w.Flush();
    }

    /// <summary>
    /// Only the chunk (hash block) size. Python writes keys sorted, so it comes before the long list and reading
    /// stops there.
    /// </summary>
    public static long ReadChunkSize(Stream input, string name)
    {
        var json = new JsonTokenStream(input);
        try
        {
            json.Expect(JsonTokenType.StartObject);
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                if (json.GetString() == "chunk_size")
                {
                    json.Read();
                    var chunk = json.GetInt64();
                    return chunk > 0 ? chunk : throw MetadataDocument.Corrupt(name, $"chunk_size {chunk} is not positive");
                }
                json.SkipValue();
            }
            throw MetadataDocument.Corrupt(name, "it lacks 'chunk_size'");
        }
        catch (JsonException e)
        {
            throw MetadataDocument.Corrupt(name, e.Message, e);
        }
    }

    /// <summary>The hash block size and how many blocks were hashed (so the volume's size), without keeping the digests.</summary>
    public static (long ChunkSize, long Count) CountHashes(Stream input, string name)
    {
        var json = new JsonTokenStream(input);
        try
        {
            json.Expect(JsonTokenType.StartObject);
            long? chunk = null, count = null;
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                switch (json.GetString())
                {
                    case "chunk_size":
                        json.Read();
                        chunk = json.GetInt64();
                        break;
                    case "sha256s":
                        json.Expect(JsonTokenType.StartArray);
                        var n = 0L;
                        while (json.Read() && json.TokenType == JsonTokenType.String)
                        {
                            n++;
                        }
                        if (json.TokenType != JsonTokenType.EndArray)
                        {
                            throw MetadataDocument.Corrupt(name, $"sha256s[{n}] is not a string");
                        }
                        count = n;
                        break;
                    default:
                        json.SkipValue();
                        break;
                }
            }
            if (chunk is not > 0 || count is null)
            {
                throw MetadataDocument.Corrupt(name, chunk is null ? "it lacks 'chunk_size'" : count is null ? "it lacks 'sha256s'" : $"chunk_size {chunk} is not positive");
            }
            return (chunk.Value, count.Value);
        }
        catch (JsonException e)
        {
            throw MetadataDocument.Corrupt(name, e.Message, e);
        }
    }

    /// <summary>Reads a sha256file, appending every digest to <paramref name="into"/> (Count is set).</summary>
    public static Header Read(Stream input, string name, HashFile into)
    {
        var json = new JsonTokenStream(input);
        try
        {
            json.Expect(JsonTokenType.StartObject);
            long? chunk = null;
            string? backupId = null, volumeId = null, version = null;
            var sawList = false;
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                switch (json.GetString())
                {
                    case "chunk_size":
                        json.Read();
                        chunk = json.GetInt64();
                        break;
                    case "backup_id":
                        json.Read();
                        backupId = json.TokenType == JsonTokenType.String ? json.GetString() : null;
                        break;
                    case "volume_id":
                        json.Read();
                        volumeId = json.TokenType == JsonTokenType.String ? json.GetString() : null;
                        break;
                    case "version":
                        json.Read();
                        version = json.TokenType == JsonTokenType.String ? json.GetString() : null;
                        break;
                    case "sha256s":
                        ReadList(json, name, into);
                        sawList = true;
                        break;
                    default:
                        json.SkipValue();
                        break;
                }
            }
            if (json.TokenType != JsonTokenType.EndObject || chunk is null || !sawList)
            {
                throw MetadataDocument.Corrupt(name, chunk is null ? "it lacks 'chunk_size'" : "it lacks 'sha256s'");
            }
            if (chunk <= 0)
            {
                throw MetadataDocument.Corrupt(name, $"chunk_size {chunk} is not positive");
            }
            return new Header(backupId, volumeId, chunk.Value, version);
        }
        catch (JsonException e)
        {
            throw MetadataDocument.Corrupt(name, e.Message, e);
        }
    }

    private static void ReadList(JsonTokenStream json, string name, HashFile into)
    {
        json.Expect(JsonTokenType.StartArray);
        const int Batch = 4096;
        var buffer = new byte[Batch * HashFile.HashSize];
        var pending = 0;
        long index = 0;
        while (json.Read() && json.TokenType != JsonTokenType.EndArray)
        {
            if (json.TokenType != JsonTokenType.String || !Hex.TryDecode(json.ValueBytes, buffer.AsSpan(pending * HashFile.HashSize, HashFile.HashSize)))
            {
                throw MetadataDocument.Corrupt(name, $"sha256s[{index + pending}] is not a 64-digit hex digest");
            }
            if (++pending == Batch)
            {
                into.Write(index, buffer);
                index += pending;
                pending = 0;
            }
        }
        if (pending > 0)
        {
            into.Write(index, buffer.AsSpan(0, pending * HashFile.HashSize));
            index += pending;
        }
        into.Count = index;
    }

    private static string Str(string? s) => s is null ? "null" : PyJson.Quote(s);
}
