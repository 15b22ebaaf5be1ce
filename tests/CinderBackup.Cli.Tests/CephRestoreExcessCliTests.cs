namespace CinderBackup.Cli.Tests;

/// <summary>
/// <see cref="RestoreExcessCliTests"/> on a Ceph repository (a one-node Ceph the test starts): kill -9 before and after
/// the zeroing past the backup's size, and a full disk during it, end as a failed restore, and the next restore zeroes.
/// </summary>
public sealed class CephRestoreExcessCliTests : RestoreExcessCliTests, IClassFixture<CephCliFixture>
{
    public CephRestoreExcessCliTests(CephCliFixture fixture)
        : base($"backup_driver: ceph\nbackup_ceph_conf: {fixture.Server.ConfPath}\nbackup_ceph_user: admin\nbackup_ceph_pool: backups\n"
            + "backup_ceph_chunk_size: 1MiB\nbackup_workers: 2\n")
    {
    }

    protected override string ZeroingFailure => "(writing the target volume)";
}
