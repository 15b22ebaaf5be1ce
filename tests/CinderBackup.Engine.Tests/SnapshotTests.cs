using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

// Trait PostgresCI: CI runs this class on PostgreSQL too (build.ps1; README "Tests").
[Trait("PostgresCI", "true")]
public sealed class SnapshotTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly BackupEngine _engine;

    public SnapshotTests() => _engine = EngineFactory.Open(_home);

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    [Fact]
    public void SnapshotOfASparseVolumeStaysSparseAndEqual()
    {
        var v = _engine.Volumes.Create("big", 1);
        for (var i = 0; i < 4; i++)
        {
            Disk.WriteRandom(v.Path, (long)i * 200 * 1024 * 1024, 1 << 20, seed: i);
        }
        var s = _engine.Snapshots.Create("big", "snap", "before change");
        Assert.Equal(("available", "100%", v.Id, 1), (s.Status, s.Progress, s.VolumeId, s.Size));
        Assert.Equal(new FileInfo(v.Path).Length, new FileInfo(s.Path).Length);
        Assert.True(Disk.AllocatedBytes(s.Path) <= 8L << 20, $"snapshot allocates {Disk.AllocatedBytes(s.Path)} bytes");
        Assert.True(FilesEqual(v.Path, s.Path));

        // Point in time: later writes to the volume do not reach the snapshot.
        Disk.WriteRandom(v.Path, 0, 4096, seed: 99);
        Assert.False(FilesEqual(v.Path, s.Path));
    }

    [Fact]
    public void InUseVolumesNeedForce()
    {
        _engine.Volumes.Create("att", 1);
        _engine.Volumes.Attach("att", "inst1", "/dev/vdc");
        var e = Assert.Throws<CinderBackupException>(() => _engine.Snapshots.Create("att", "s"));
        Assert.Matches("^Invalid volume: Volume [0-9a-f-]+ status must be available, but current status is: in-use\\.$", e.Message);
        Assert.Empty(_engine.Snapshots.List());
        var s = _engine.Snapshots.Create("att", "s", force: true);
        Assert.Equal("available", s.Status);
    }

    [Fact]
    public void ListShowDeleteAndErrors()
    {
        _engine.Volumes.Create("v", 1);
        var s = _engine.Snapshots.Create("v", "s1");
        Assert.Equal(s.Id, _engine.Snapshots.Get("s1").Id);
        Assert.Single(_engine.Snapshots.List("v"));
        var e = Assert.Throws<CinderBackupException>(() => _engine.Snapshots.Get("s2"));
        Assert.Equal("No snapshot with a name or ID of 's2' exists.", e.Message);
        _engine.Snapshots.Delete(s.Id);
        Assert.False(File.Exists(s.Path));
        Assert.Empty(_engine.Snapshots.List());
    }

    private static bool FilesEqual(string a, string b)
    {
        using var fa = File.OpenRead(a);
        using var fb = File.OpenRead(b);
        var ba = new byte[1 << 20];
        var bb = new byte[1 << 20];
        while (true)
        {
            var na = fa.ReadAtLeast(ba, ba.Length, throwOnEndOfStream: false);
            var nb = fb.ReadAtLeast(bb, bb.Length, throwOnEndOfStream: false);
            if (na != nb || !ba.AsSpan(0, na).SequenceEqual(bb.AsSpan(0, nb)))
            {
                return false;
            }
            if (na == 0)
            {
                return true;
            }
        }
    }
}
