namespace CinderBackup.Interop.Tests;

/// <summary>
/// (a) Backups written by Cinder's PosixBackupDriver, with records from Cinder's encode_record, import into
/// CinderBackup and restore byte-identically: a full backup and a two-level incremental chain per codec.
/// </summary>
public sealed class CinderWrittenBackupTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData("none")]
    [InlineData("zlib")]
    [InlineData("bz2")]
    [InlineData("zstd")]
    public void CinderChainRestoresByteIdentically(string codec)
    {
        var chain = CinderChain.Write(_home, codec);
        var (repo, volumeId, ids, images, fields, records) = (chain.Repository, chain.VolumeId, chain.Ids, chain.ImagePaths, chain.Fields, chain.Records);

        Engines.Configure(_home, ("backup_posix_path", repo), ("backup_compression_algorithm", codec));
        using var engine = Engines.Open(_home);
        for (var s = 0; s < 3; s++)
        {
            var imported = engine.Backups.Import((string)records[s]!["backup_service"]!, (string)records[s]!["backup_url"]!);
            Assert.Equal(ids[s], imported.Id);
            Assert.Equal("available", imported.Status);
            Assert.Equal(volumeId, imported.VolumeId);
            Assert.Equal((string?)fields[s]["container"], imported.Container);
            Assert.Equal((string?)fields[s]["service_metadata"], imported.ServiceMetadata);
            Assert.Equal((int)fields[s]["object_count"]!, imported.ObjectCount);
            Assert.Equal(s == 0 ? null : ids[s - 1], imported.ParentId);
            Assert.Equal(1, imported.Size);
        }

        for (var s = 0; s < 3; s++)
        {
            var result = engine.Backups.Restore(ids[s]);
            var volume = engine.Volumes.Get(result.VolumeId);
            Assert.Equal(1, volume.Size);
            Images.AssertSamePrefix(images[s], volume.Path, $"{codec}: Cinder backup {s} ({ids[s]}) restored by CinderBackup");
            Assert.Equal(ids[s], volume.Metadata["src_backup_id"]);
            // Cinder's volume_meta was understood: the full backup's layer, applied first, names the new volume
            // restore_backup_<id>; later layers leave a volume that has a real name alone (driver.py:192).
            Assert.Equal("vol 0", volume.Name);
        }
    }
}
