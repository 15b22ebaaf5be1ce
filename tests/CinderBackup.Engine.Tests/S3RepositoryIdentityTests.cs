using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// The repository marker on S3 (issue 16, item 11): one object at the top of the bucket, written once with a
/// conditional put; a backup records its id and the endpoint and bucket; when the endpoint the repository's name
/// points to changes, a restore says where the backup was and where the name points now, and leaves no volume.
/// </summary>
[Collection("moto")]
public sealed class S3RepositoryIdentityTests : IDisposable
{
    private readonly MotoServer _moto;
    private readonly TempHome _home = new();

    public S3RepositoryIdentityTests(MotoFixture moto) => _moto = moto.Server;

    public void Dispose() => _home.Dispose();

    [Fact]
    public void TheBucketCarriesTheMarkerAndAMovedEndpointIsNamed()
    {
        var bucket = S3Home.Bucket("ident");
        S3Home.Configure(_home, _moto.Endpoint, bucket);
        VolumeBackup b;
        string sha;
        using (var engine = S3Home.Open(_home))
        {
            var v = S3Home.Volume(engine, _home, "s3vol");
            sha = S3Home.Sha(v.Path, 5 * S3Home.MiB + 12345);
            b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
            var again = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Incremental = true });
            Assert.NotNull(b.RepositoryId);
            Assert.Equal(b.RepositoryId, again.RepositoryId);
            Assert.Equal($"{_moto.Endpoint}, bucket '{bucket}'", b.RepositoryLocation);
            var found = engine.Records.Discover();
            Assert.Equal(2, found.Count); // the marker is no backup
            engine.Backups.Delete(again.Id);
        }

        using var second = new MotoServer();
        S3Home.Configure(_home, second.Endpoint, bucket);
        using (var engine = S3Home.Open(_home))
        {
            var volumes = engine.Volumes.List().Count;
            var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Restore(b.Id));
            Assert.Equal(ErrorIds.RepositoryMoved, e.ErrorId);
            Assert.Contains($"was written to repository 'default' at {_moto.Endpoint}, bucket '{bucket}' (repository id {b.RepositoryId})", e.Message);
            Assert.Contains($"now points to {second.Endpoint}, bucket '{bucket}', where bucket '{bucket}' does not exist", e.Message);
            Assert.Equal(volumes, engine.Volumes.List().Count);
        }

        S3Home.Configure(_home, _moto.Endpoint, bucket);
        using (var engine = S3Home.Open(_home))
        {
            var r = engine.Backups.Restore(b.Id);
            Assert.Equal(sha, S3Home.Sha(engine.Volumes.Get(r.VolumeId).Path, 5 * S3Home.MiB + 12345));
        }
    }
}
