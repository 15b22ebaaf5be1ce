using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

// Trait PostgresCI: CI runs this class on PostgreSQL too (build.ps1; README "Tests").
[Trait("PostgresCI", "true")]
public sealed class VolumeTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly BackupEngine _engine;

    public VolumeTests() => _engine = EngineFactory.Open(_home);

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    [Fact]
    public void CreateMakesASparseImageOfTheRequestedSize()
    {
        var v = _engine.Volumes.Create("data", 2, "my data", metadata: new Dictionary<string, string> { ["k"] = "v" });
        Assert.Equal(("data", "my data", 2, "available", "pool"), (v.Name, v.Description, v.Size, v.Status, v.Backend));
        Assert.Equal(2L << 30, new FileInfo(v.Path).Length);
        Assert.True(Disk.AllocatedBytes(v.Path) < 1 << 20);
        Assert.Equal("v", v.Metadata["k"]);
        Assert.Equal(("default", "tester"), (v.ProjectId, v.UserId));
        Assert.Equal(v.Id, _engine.Volumes.Get("data").Id);
        Assert.Equal(v.Id, _engine.Volumes.Get(v.Id).Id);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("")]
    public void SizesMustBePositiveIntegers(string raw)
    {
        var e = Assert.Throws<CinderBackupException>(() => VolumeApi.ParseSize(raw));
        Assert.Equal(ErrorIds.InvalidSize, e.ErrorId);
        Assert.Equal($"Invalid input received: Volume size '{raw}' must be an integer and greater than 0", e.Message);
        Assert.Throws<CinderBackupException>(() => _engine.Volumes.Create("x", 0));
        Assert.Empty(_engine.Volumes.List());
    }

    [Fact]
    public void NamesWithControlCharactersAreRefusedAndNothingIsCreated()
    {
        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Create("bad\nname", 1));
        Assert.Equal(ErrorIds.InvalidName, e.ErrorId);
        Assert.Contains("bad\\u000aname", e.Message);
        Assert.Empty(_engine.Volumes.List());
        Assert.False(Directory.Exists(Path.Combine(_home.Home, "volumes")) && Directory.GetFiles(Path.Combine(_home.Home, "volumes")).Length > 0);
    }

    [Fact]
    public void UnknownAndAmbiguousNamesAreErrors()
    {
        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Get("nothing"));
        Assert.Equal((ErrorIds.VolumeNotFound, "No volume with a name or ID of 'nothing' exists."), (e.ErrorId, e.Message));
        _engine.Volumes.Create("twin", 1);
        _engine.Volumes.Create("twin", 1);
        e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Get("twin"));
        Assert.Equal(ErrorIds.VolumeAmbiguous, e.ErrorId);
        Assert.StartsWith("More than one volume with name twin exists", e.Message);
        e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Delete("twin"));
        Assert.Equal(ErrorIds.VolumeAmbiguous, e.ErrorId);
        Assert.Equal(2, _engine.Volumes.List().Count);
    }

    [Fact]
    public void DeleteRemovesThePoolImage()
    {
        var v = _engine.Volumes.Create("gone", 1);
        _engine.Volumes.Delete("gone");
        Assert.False(File.Exists(v.Path));
        Assert.Empty(_engine.Volumes.List());
        Assert.Throws<CinderBackupException>(() => _engine.Volumes.Get(v.Id));
    }

    [Fact]
    public void AttachedVolumesCannotBeDeletedAndNothingChanges()
    {
        var v = _engine.Volumes.Create("busy", 1);
        var attached = _engine.Volumes.Attach("busy", "inst1", "/dev/vdc");
        Assert.Equal("in-use", attached.Status);
        Assert.Equal("Attached to inst1 on /dev/vdc", attached.AttachedTo);
        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Delete("busy"));
        Assert.Equal(ErrorIds.VolumeInUse, e.ErrorId);
        Assert.StartsWith("Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.", e.Message);
        Assert.Contains("Attached to inst1 on /dev/vdc", e.Message);
        Assert.True(File.Exists(v.Path));
        Assert.Equal("in-use", _engine.Volumes.Get("busy").Status);

        e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Attach("busy", "inst2", "/dev/vdd"));
        Assert.Equal("Invalid volume: Volume status must be available to reserve, but the status is in-use.", e.Message);

        var detached = _engine.Volumes.Detach("busy");
        Assert.Equal("available", detached.Status);
        Assert.Empty(detached.Attachments);
        e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Detach("busy"));
        Assert.Equal("Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.", e.Message);
        _engine.Volumes.Delete("busy");
    }

    [Fact]
    public void VolumesWithSnapshotsCannotBeDeleted()
    {
        var v = _engine.Volumes.Create("snapped", 1);
        _engine.Snapshots.Create("snapped", "s1");
        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Delete("snapped"));
        Assert.Equal(ErrorIds.VolumeHasSnapshots, e.ErrorId);
        Assert.Contains("has 1 snapshot(s)", e.Message);
        Assert.True(File.Exists(v.Path));
        _engine.Snapshots.Delete("s1");
        _engine.Volumes.Delete("snapped");
    }

    [Fact]
    public void ExtendGrowsPoolVolumesOnly()
    {
        var v = _engine.Volumes.Create("grow", 1);
        var bigger = _engine.Volumes.Extend("grow", 3);
        Assert.Equal(3, bigger.Size);
        Assert.Equal(3L << 30, new FileInfo(v.Path).Length);
        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Extend("grow", 3));
        Assert.Equal("Invalid input received: New size for extend must be greater than current size. (current: 3, extended: 3).", e.Message);
        _engine.Volumes.Attach("grow", "i", "/dev/vdb");
        e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Extend("grow", 4));
        Assert.Contains("status must be '{'status': 'available'}' to extend, currently in-use.", e.Message);
        Assert.Equal(3, _engine.Volumes.Get("grow").Size);
    }

    [Fact]
    public void RegisteredPathsAreMeasuredAndNeverDeleted()
    {
        var image = _home.File_("disk.img");
        using (var fs = File.Create(image))
        {
            fs.SetLength(3L << 29); // 1.5 GiB
        }
        var v = _engine.Volumes.Register("reg", image, "an image");
        Assert.Equal(("path", 2, 3L << 29, image), (v.Backend, v.Size, v.SizeBytes, v.Path));
        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Register("again", image));
        Assert.Equal(ErrorIds.InvalidPath, e.ErrorId);
        Assert.Contains("is already volume " + v.Id, e.Message);
        e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Extend("reg", 5));
        Assert.Contains("never resizes registered devices", e.Message);
        _engine.Volumes.Delete("reg");
        Assert.True(File.Exists(image));
        Assert.Equal(3L << 29, new FileInfo(image).Length);
    }

    [Fact]
    public void RegisteringABadPathIsAClearError()
    {
        var missing = _home.File_("missing.img");
        var e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Register("x", missing));
        Assert.Equal((ErrorIds.InvalidPath, $"The path '{missing}' does not exist."), (e.ErrorId, e.Message));
        e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Register("x", _home.Root));
        Assert.Contains("is a directory", e.Message);
        var empty = _home.File_("empty.img");
        File.WriteAllBytes(empty, Array.Empty<byte>());
        e = Assert.Throws<CinderBackupException>(() => _engine.Volumes.Register("x", empty));
        Assert.Contains("is empty", e.Message);
        Assert.Empty(_engine.Volumes.List());
    }

    [Fact]
    public void ProjectsCannotSeeEachOthersVolumes()
    {
        using var alice = EngineFactory.Open(_home, "projA", "alice", admin: false);
        using var bob = EngineFactory.Open(_home, "projB", "bob", admin: false);
        var a = alice.Volumes.Create("mine", 1);
        Assert.Empty(bob.Volumes.List());
        Assert.Throws<CinderBackupException>(() => bob.Volumes.Get(a.Id));
        Assert.Throws<CinderBackupException>(() => bob.Volumes.Delete(a.Id));
        var e = Assert.Throws<CinderBackupException>(() => bob.Volumes.List(allProjects: true));
        Assert.Equal(ErrorIds.PolicyNotAuthorized, e.ErrorId);
        // The admin sees every project when asked to.
        Assert.Contains(_engine.Volumes.List(allProjects: true), v => v.Id == a.Id);
        Assert.Equal(a.Id, _engine.Volumes.Get(a.Id).Id);
    }
}
