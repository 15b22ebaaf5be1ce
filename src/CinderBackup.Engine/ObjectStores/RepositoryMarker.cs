using System.Text;
using System.Text.Json;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.ObjectStores;

/// <summary>
/// A repository's identity of its own (ours, not Cinder's): a small JSON object named <c>.cinderbackup-repository</c>,
/// written once, when the first backup goes there, at the root of a posix or NFS repository and at the top of each S3
/// bucket. Each backup records the id it found, and where the repository was, so the repository is recognised wherever
/// it is mounted and a restore can say where a backup was when the configuration no longer points there. The name
/// starts with a dot and not with <c>volume_</c>: no Cinder driver's listing (objects under a backup's prefix, inside a
/// container) and no discovery (names ending in a backup id) ever sees it. It is never replaced or deleted.
/// </summary>
internal static class RepositoryMarker
{
    public const string Name = ".cinderbackup-repository";

    /// <summary>A marker is a few hundred bytes; anything much larger is not one.</summary>
    private const int MaxBytes = 64 * 1024;

    public static string ReadText(Stream stream)
    {
        var buffer = new byte[MaxBytes + 1];
        var n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return Encoding.UTF8.GetString(buffer, 0, Math.Min(n, MaxBytes));
    }

    /// <summary>The repository id a marker's text holds, or null when it is not a marker of ours (damaged).</summary>
    public static string? ParseId(string? text)
    {
        if (text is null)
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("application", out var app) && app.ValueKind == JsonValueKind.String && app.GetString() == "cinderbackup"
                && root.TryGetProperty("repository_id", out var id) && id.ValueKind == JsonValueKind.String && Guid.TryParse(id.GetString(), out var guid)
                ? guid.ToString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The marker's text, in the byte format of Cinder's own documents (Python json.dumps, sorted keys, indent 2).</summary>
    public static string Format(string id, DateTime createdUtc) => PyJson.Dumps(new List<KeyValuePair<string, object?>>
    {
        new("application", "cinderbackup"),
        new("created_at", DocumentHeader.PythonTimestamp(createdUtc)),
        new("note", "This object identifies a CinderBackup repository; backups record its id. Do not delete it or copy it into another repository."),
        new("repository_id", id),
        new("version", 1),
    }, indent: 2, sortKeys: true) + "\n";

    /// <summary>
    /// The id of the repository <paramref name="store"/> reaches for <paramref name="container"/>, writing the marker
    /// first if there is none. Best effort: null, and the backup goes on without an identity, when the marker cannot be
    /// read or written or is damaged (it is never overwritten).
    /// </summary>
    public static string? Ensure(IObjectStore store, string container)
    {
        try
        {
            var text = store.ReadMarker(container);
            if (text is null)
            {
                store.CreateMarker(container, Format(Guid.NewGuid().ToString(), Clock.UtcNow));
                text = store.ReadMarker(container); // whoever wrote it first
            }
            return ParseId(text);
        }
        catch (CinderBackupException)
        {
            return null;
        }
    }

    /// <summary>The id of the repository reached for <paramref name="container"/>, or null (no marker, damaged, unreadable).</summary>
    public static string? Read(IObjectStore store, string container)
    {
        try
        {
            return ParseId(store.ReadMarker(container));
        }
        catch (CinderBackupException)
        {
            return null;
        }
    }
}
