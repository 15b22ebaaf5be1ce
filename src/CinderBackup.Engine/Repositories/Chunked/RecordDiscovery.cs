using System.Text.RegularExpressions;
using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Repositories.Chunked;

/// <summary>
/// Rebuilds backup rows from a repository alone: every <c>&lt;prefix&gt;_metadata</c> document (Cinder's or ours)
/// describes one backup. The scan streams the repository listing and keeps one backup's object names at a time;
/// names of one prefix are adjacent because listings come sorted.
/// </summary>
internal static partial class RecordDiscovery
{
    private const long GiB = 1L << 30;

    [GeneratedRegex(@"^(?<prefix>.*_backup_(?<id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}))(?<kind>-[0-9]{5,}|_metadata|_sha256file)$", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectName();

    public static IEnumerable<DiscoveredRow> Scan(IObjectStore store, string? container)
    {
        Group? current = null;
        foreach (var (c, name) in store.Scan(container))
        {
            var m = ObjectName().Match(name);
            if (!m.Success)
            {
                continue; // not a backup object
            }
            var prefix = m.Groups["prefix"].Value;
            if (current is null || current.Container != c || current.Prefix != prefix)
            {
                if (current is not null)
                {
                    yield return Examine(store, current);
                }
                current = new Group(c, prefix, m.Groups["id"].Value.ToLowerInvariant());
            }
            switch (m.Groups["kind"].Value)
            {
                case "_metadata": current.HasMetadata = true; break;
                case "_sha256file": current.HasSha256 = true; break;
                default: current.Data.Add(name); break;
            }
        }
        if (current is not null)
        {
            yield return Examine(store, current);
        }
    }

    private static DiscoveredRow Examine(IObjectStore store, Group g)
    {
        DiscoveredBackup Problem(DiscoveryStatus status, string problem) => new()
        {
            BackupId = g.Id, Repository = store.Repository, Container = g.Container, Prefix = g.Prefix,
            Status = status, Problem = problem, ObjectsFound = g.Data.Count,
        };
        var where = $"'{g.Prefix}_metadata' in container '{g.Container}' of repository '{store.Repository}'";
        if (!g.HasMetadata)
        {
            return new DiscoveredRow(Problem(DiscoveryStatus.Incomplete,
                $"Backup {g.Id}: {g.Data.Count} data object(s){(g.HasSha256 ? " and a _sha256file" : "")} under '{g.Prefix}' in container '{g.Container}' of repository '{store.Repository}' but no _metadata document; the backup never finished (or was partly deleted), so it was not imported."), null);
        }
        MetadataDocument metadata;
        try
        {
            using var stream = store.OpenRead(g.Container, g.Prefix + "_metadata");
            metadata = MetadataDocument.Read(stream, g.Prefix + "_metadata");
        }
        catch (CinderBackupException e)
        {
            return new DiscoveredRow(Problem(DiscoveryStatus.Unreadable, $"Backup {g.Id}: {where} cannot be read: {e.Message}"), null);
        }
        if (!string.Equals(metadata.BackupId, g.Id, StringComparison.OrdinalIgnoreCase))
        {
            return new DiscoveredRow(Problem(DiscoveryStatus.Unreadable,
                $"Backup {g.Id}: {where} describes backup '{PrintableText.Brief(metadata.BackupId)}', not the backup its name says."), null);
        }
        if (metadata.Version != MetadataDocument.DriverVersion)
        {
            return new DiscoveredRow(Problem(DiscoveryStatus.Unreadable, $"Backup {g.Id}: {where} has version {metadata.Version}; only {MetadataDocument.DriverVersion} can be restored."), null);
        }
        if (!Guid.TryParse(metadata.VolumeId, out _))
        {
            return new DiscoveredRow(Problem(DiscoveryStatus.Unreadable, $"Backup {g.Id}: {where} has no valid volume_id."), null);
        }
        var recorded = metadata.Objects.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var missing = recorded.Where(n => !g.Data.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var extra = g.Data.Where(n => !recorded.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            var what = missing.Count > 0
                ? $"{missing.Count} object(s) named in its _metadata are missing, the first '{missing[0]}'"
                : $"{extra.Count} object(s) under its prefix are not named in its _metadata, the first '{extra[0]}'";
            return new DiscoveredRow(Problem(DiscoveryStatus.Damaged, $"Backup {g.Id} in container '{g.Container}' of repository '{store.Repository}': {what}; it cannot be restored, so it was not imported."), null);
        }
        if (!g.HasSha256)
        {
            return new DiscoveredRow(Problem(DiscoveryStatus.Damaged,
                $"Backup {g.Id} in container '{g.Container}' of repository '{store.Repository}': its _sha256file is missing; it was not imported."), null);
        }
        int size;
        try
        {
            size = Size(store, g, metadata);
        }
        catch (CinderBackupException e)
        {
            return new DiscoveredRow(Problem(DiscoveryStatus.Damaged, $"Backup {g.Id}: its size cannot be found: {e.Message}"), null);
        }
        var created = DocumentHeader.ParseTime(metadata.CreatedAt);
        var row = new BackupRow
        {
            Id = g.Id,
            VolumeId = metadata.VolumeId,
            Container = g.Container,
            ParentId = metadata.ParentId,
            Status = BackupStatus.Available,
            Size = size,
            DisplayName = metadata.BackupName,
            DisplayDescription = metadata.BackupDescription,
            ServiceMetadata = g.Prefix,
            Service = store.ServiceName,
            ObjectCount = metadata.Objects.Count,
            DataTimestamp = created,
            CreatedAt = created ?? DateTime.UnixEpoch,
            UpdatedAt = created,
            Repository = store.Repository,
            Driver = store.Driver,
        };
        var item = new DiscoveredBackup
        {
            BackupId = g.Id, Repository = store.Repository, Container = g.Container, Prefix = g.Prefix,
            Status = DiscoveryStatus.Complete, ObjectsFound = g.Data.Count,
        };
        return new DiscoveredRow(item, row);
    }

    /// <summary>
    /// The volume's size: from volume_meta's base metadata (Cinder and we always write it), else from the number of
    /// hashed blocks in the _sha256file, which cover the whole volume.
    /// </summary>
    private static int Size(IObjectStore store, Group g, MetadataDocument metadata)
    {
        if (metadata.VolumeMeta is string meta && VolumeMetaDocument.BaseSize(meta) is int fromMeta)
        {
            return fromMeta;
        }
        using var stream = store.OpenRead(g.Container, g.Prefix + "_sha256file");
        var (chunk, count) = Sha256Document.CountHashes(stream, g.Prefix + "_sha256file");
        return (int)Math.Min(int.MaxValue, (chunk * count + GiB - 1) / GiB);
    }

    private sealed class Group
    {
        public Group(string container, string prefix, string id)
        {
            Container = container;
            Prefix = prefix;
            Id = id;
        }

        public string Container { get; }

        public string Prefix { get; }

        public string Id { get; }

        public bool HasMetadata { get; set; }

        public bool HasSha256 { get; set; }

        public HashSet<string> Data { get; } = new(StringComparer.Ordinal);
    }
}
