using System.Text.Json;
using CinderBackup.Engine.Hashing;

namespace CinderBackup.Engine.Format;

/// <summary>
/// A backup's <c>_sha256file</c> (cinder-reference.md §1.5): the SHA-256 of every block of the volume as read.
/// Read into a <see cref="HashFile"/> (and written by <see cref="Sha256DocumentWriter"/>) so its size never matters.
/// </summary>
internal static class Sha256Document
{
    public sealed record Header(string? BackupId, string? VolumeId, long ChunkSize, string? Version);

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
}
