namespace CinderBackup.Cli.Tests;

/// <summary><see cref="RestoreDiskFullCases"/> on a Ceph repository (a one-node Ceph the test starts).</summary>
public sealed class CephRestoreDiskFullCliTests : RestoreDiskFullCases, IClassFixture<CephCliFixture>
{
    private readonly CephServer _ceph;

    public CephRestoreDiskFullCliTests(CephCliFixture fixture) => _ceph = fixture.Server;

    protected override string RepositoryConfig =>
        $"backup_driver: ceph\nbackup_ceph_conf: {_ceph.ConfPath}\nbackup_ceph_user: admin\nbackup_ceph_pool: backups\nbackup_ceph_chunk_size: 1MiB\n";
}
