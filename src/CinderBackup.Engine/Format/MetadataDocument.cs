using System.Text;
using System.Text.Json;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Format;

/// <summary>
/// A backup's <c>_metadata</c> document (cinder-reference.md §1.4): written byte-for-byte as Python's
/// <c>json.dumps(sort_keys=True, indent=2)</c>, read leniently from any valid JSON.
/// </summary>
internal sealed class MetadataDocument
{
    public const string DriverVersion = "1.0.0";

    public string Version { get; init; } = DriverVersion;
    public string BackupId { get; init; } = "";
    public string VolumeId { get; init; } = "";
    public string? BackupName { get; init; }
    public string? BackupDescription { get; init; }
    public string CreatedAt { get; init; } = "";
    public List<ObjectEntry> Objects { get; init; } = new();
    public string? ParentId { get; init; }
    public string? VolumeMeta { get; init; }
    public bool HasExtraMetadata { get; init; }

    /// <summary>Streams the document; <paramref name="objects"/> may be enumerated lazily.</summary>
    public static void Write(Stream output, DocumentHeader header, IEnumerable<ObjectEntry> objects, string? parentId, string? volumeMeta)
    {
        using var w = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        w.Write("{\n");
        w.Write($"  \"backup_description\": {Str(header.BackupDescription)},\n");
        w.Write($"  \"backup_id\": {Str(header.BackupId)},\n");
        w.Write($"  \"backup_name\": {Str(header.BackupName)},\n");
        w.Write($"  \"created_at\": {Str(header.CreatedAt)},\n");
        w.Write("  \"objects\": [");
        var first = true;
        foreach (var o in objects)
        {
            w.Write(first ? "\n" : ",\n");
            first = false;
            w.Write("    {\n");
            w.Write($"      {Str(o.Name)}: {{\n");
            w.Write($"        \"compression\": {Str(o.Compression)},\n");
            w.Write($"        \"length\": {o.Length},\n");
            w.Write($"        \"md5\": {Str(o.Md5)},\n");
            w.Write($"        \"offset\": {o.Offset}\n");
            w.Write("      }\n");
            w.Write("    }");
        }
        w.Write(first ? "],\n" : "\n  ],\n");
        w.Write($"  \"parent_id\": {Str(parentId)},\n");
        w.Write($"  \"version\": {Str(DriverVersion)},\n");
        w.Write($"  \"volume_id\": {Str(header.VolumeId)},\n");
        w.Write($"  \"volume_meta\": {Str(volumeMeta)}\n");
        w.Write("}");
    }

    /// <summary>Parses a document (Cinder's or ours); <paramref name="name"/> names it in errors.</summary>
    public static MetadataDocument Read(Stream input, string name)
    {
        var json = new JsonTokenStream(input);
        try
        {
            return Parse(json, name);
        }
        catch (JsonException e)
        {
            throw Corrupt(name, e.Message, e);
        }
        catch (DecoderFallbackException e)
        {
            throw Corrupt(name, "it is not UTF-8", e);
        }
    }

    private static MetadataDocument Parse(JsonTokenStream json, string name)
    {
        json.Expect(JsonTokenType.StartObject);
        string? version = null, backupId = null, volumeId = null, backupName = null, description = null, createdAt = null, parentId = null, volumeMeta = null;
        List<ObjectEntry>? objects = null;
        var extra = false;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var key = json.GetString();
            switch (key)
            {
                case "version": version = ReadStringOrNull(json, key, name); break;
                case "backup_id": backupId = ReadStringOrNull(json, key, name); break;
                case "volume_id": volumeId = ReadStringOrNull(json, key, name); break;
                case "backup_name": backupName = ReadStringOrNull(json, key, name); break;
                case "backup_description": description = ReadStringOrNull(json, key, name); break;
                case "created_at": createdAt = ReadStringOrNull(json, key, name); break;
                case "parent_id": parentId = ReadStringOrNull(json, key, name); break;
                case "volume_meta": volumeMeta = ReadStringOrNull(json, key, name); break;
                case "objects": objects = ReadObjects(json, name); break;
                case "extra_metadata": extra = true; json.SkipValue(); break;
                default: json.SkipValue(); break;
            }
        }
        if (json.TokenType != JsonTokenType.EndObject)
        {
            throw Corrupt(name, "it is not a JSON object");
        }
        if (version is null || objects is null)
        {
            throw Corrupt(name, $"it lacks '{(version is null ? "version" : "objects")}'");
        }
        return new MetadataDocument
        {
            Version = version,
            BackupId = backupId ?? "",
            VolumeId = volumeId ?? "",
            BackupName = backupName,
            BackupDescription = description,
            CreatedAt = createdAt ?? "",
            Objects = objects,
            ParentId = parentId,
            VolumeMeta = volumeMeta,
            HasExtraMetadata = extra,
        };
    }

    private static List<ObjectEntry> ReadObjects(JsonTokenStream json, string name)
    {
        json.Expect(JsonTokenType.StartArray);
        var list = new List<ObjectEntry>();
        while (json.Read() && json.TokenType != JsonTokenType.EndArray)
        {
            if (json.TokenType != JsonTokenType.StartObject)
            {
                throw Corrupt(name, $"objects[{list.Count}] is not an object");
            }
            json.Expect(JsonTokenType.PropertyName);
            var objectName = json.GetString();
            json.Expect(JsonTokenType.StartObject);
            long? offset = null, length = null;
            string? compression = null, md5 = null;
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                var key = json.GetString();
                switch (key)
                {
                    case "offset": json.Read(); offset = json.GetInt64(); break;
                    case "length": json.Read(); length = json.GetInt64(); break;
                    case "compression": compression = ReadStringOrNull(json, key, name); break;
                    case "md5": md5 = ReadStringOrNull(json, key, name); break;
                    default: json.SkipValue(); break;
                }
            }
            json.Expect(JsonTokenType.EndObject);
            if (offset is null || length is null || offset < 0 || length < 0)
            {
                throw Corrupt(name, $"object '{objectName}' lacks a valid offset or length");
            }
            list.Add(new ObjectEntry(objectName, offset.Value, length.Value, compression ?? "none", md5 ?? ""));
        }
        return list;
    }

    private static string? ReadStringOrNull(JsonTokenStream json, string key, string name)
    {
        if (!json.Read())
        {
            throw Corrupt(name, "it ends early");
        }
        return json.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => json.GetString(),
            _ => throw Corrupt(name, $"'{key}' is not a string"),
        };
    }

    private static string Str(string? s) => s is null ? "null" : PyJson.Quote(s);

    internal static CinderBackupException Corrupt(string name, string what, Exception? inner = null) =>
        new(ErrorIds.BackupCorrupt, ErrorKind.InvalidData, $"Backup document '{name}' is not valid: {what.TrimEnd('.')}.", name, inner);
}
