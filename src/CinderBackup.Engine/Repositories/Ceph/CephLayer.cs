namespace CinderBackup.Engine.Repositories.Ceph;

/// <summary>
/// What a Ceph backup is, for reading it (a <see cref="Restore.ChainLayer"/>'s opaque part): the pool, the image, the
/// backup's snapshot (null: Cinder's non-RBD full backup, the image itself), its size, and whether our hash list is there.
/// </summary>
internal sealed record CephLayer(string Pool, string Image, string? Snapshot, long Size, bool HasHashes);
