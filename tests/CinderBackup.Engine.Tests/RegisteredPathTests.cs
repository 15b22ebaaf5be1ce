using System.Diagnostics;
using System.Net.Sockets;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// What <c>volume register</c> may adopt (issue 16, item 2): not the tool's own files and folders, not another volume's
/// or snapshot's file however it is reached (symbolic link, hard link), nothing but a regular file or a block device,
/// and a FIFO is refused without being opened. The same holds when a registered volume is used later, after its link
/// was pointed elsewhere. A refusal about another project's volume does not name it.
/// </summary>
public sealed class RegisteredPathTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly BackupEngine _admin;
    private readonly BackupEngine _alice;
    private readonly BackupEngine _bob;
    private readonly BlockVolume _aliceVolume;

    public RegisteredPathTests()
    {
        Directory.CreateDirectory(_home.File_("repo2"));
        _home.WriteConfig($"""
            backup_file_size: 4MiB
            repositories:
              main:
                default: true
              second:
                backup_posix_path: {_home.File_("repo2")}
            """);
        _admin = EngineFactory.Open(_home);
        _alice = EngineFactory.Open(_home, "pa", "alice", admin: false);
        _bob = EngineFactory.Open(_home, "pb", "bob", admin: false);
        _aliceVolume = _alice.Volumes.Create("alice-vol", 1);
        Disk.WriteRandom(_aliceVolume.Path, 0, 1 << 20, seed: 21);
        _alice.Backups.Create(new BackupCreateOptions { Volume = "alice-vol", Name = "alice-backup" });
        _alice.Snapshots.Create("alice-vol", "alice-snap");
    }

    public void Dispose()
    {
        _bob.Dispose();
        _alice.Dispose();
        _admin.Dispose();
        _home.Dispose();
    }

    private string Data => _home.Home;

    private string Image(string name, int megabytes = 8)
    {
        var path = _home.File_(name);
        using (var f = File.Create(path))
        {
            f.SetLength((long)megabytes << 20);
        }
        Disk.WriteRandom(path, 0, 1 << 20, seed: name.Length);
        return path;
    }

    /// <summary>Runs <paramref name="act"/> on a thread of its own and fails the test if it has not returned within 30 s.</summary>
    private static T Within<T>(Func<T> act, string what)
    {
        T? result = default;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = act();
            }
            catch (Exception e)
            {
                error = e;
            }
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), what + " hangs");
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }
        return result!;
    }

    private static void Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    /// <summary>Registering <paramref name="path"/> as bob fails with InvalidPath and <paramref name="message"/>, within seconds, and changes nothing.</summary>
    private CinderBackupException Refused(string path, string message, BackupEngine? engine = null)
    {
        var before = StateSnapshot.Take(_home.CatalogPath, new[] { _home.Home }, "services");
        var e = Within(() => Assert.Throws<CinderBackupException>(() => (engine ?? _bob).Volumes.Register("reg", path)), $"registering '{path}'");
        Assert.True(e.ErrorId == ErrorIds.InvalidPath, $"{e.ErrorId}: {e.Message}");
        Assert.Equal(message, e.Message);
        if (!path.Contains(_aliceVolume.Id, StringComparison.Ordinal))
        {
            Assert.DoesNotContain(_aliceVolume.Id, e.Message); // never named unless the caller named it
        }
        Assert.Equal(before, StateSnapshot.Take(_home.CatalogPath, new[] { _home.Home }, "services"));
        return e;
    }

    [SqliteFileFact]
    public void TheToolsOwnFilesAreRefusedHoweverTheyAreReached()
    {
        var catalog = _home.CatalogPath;
        Refused(catalog, $"The path '{catalog}' is CinderBackup's own catalog '{catalog}'; it cannot be a volume.");
        Refused(catalog + "-wal", $"The path '{catalog}-wal' is CinderBackup's own catalog '{catalog}-wal'; it cannot be a volume.");
        var link = _home.File_("innocent.img");
        File.CreateSymbolicLink(link, catalog);
        Refused(link, $"The path '{link}' is CinderBackup's own catalog '{catalog}'; it cannot be a volume.");
        var hard = _home.File_("hard.img");
        Run("ln", catalog, hard);
        Refused(hard, $"The path '{hard}' is CinderBackup's own catalog '{catalog}'; it cannot be a volume.");
        var log = Path.Combine(Data, "cinder-backup.log");
        Refused(log, $"The path '{log}' is CinderBackup's own log '{log}'; it cannot be a volume.");
        Refused(_home.ConfigPath, $"The path '{_home.ConfigPath}' is CinderBackup's own configuration file '{_home.ConfigPath}'; it cannot be a volume.");
    }

    [Fact]
    public void FilesInTheToolsFoldersAreRefusedButTheDataDirectoryIsTheUsers()
    {
        foreach (var (folder, what) in new[]
        {
            (Path.Combine(Data, "volumes"), "volume pool"), (Path.Combine(Data, "snapshots"), "snapshot directory"),
            (Path.Combine(Data, "tmp"), "temporary directory"), (Path.Combine(Data, "backup"), "repository 'main'"),
            (_home.File_("repo2"), "repository 'second'"),
        })
        {
            Directory.CreateDirectory(Path.Combine(folder, "deep"));
            var path = Path.Combine(folder, "deep", "stray.img");
            File.WriteAllBytes(path, new byte[4096]);
            Refused(path, $"The path '{path}' is inside '{folder}', CinderBackup's {what}; it cannot be a volume.");
            // A link from outside into the folder is the file inside it.
            var link = _home.File_($"link-to-{Path.GetFileName(folder)}.img");
            File.CreateSymbolicLink(link, path);
            Refused(link, $"The path '{link}' is inside '{folder}', CinderBackup's {what}; it cannot be a volume.");
        }
        // An object of a backup, in its repository.
        var obj = Directory.GetFiles(Path.Combine(Data, "backup"), "*-00001", SearchOption.AllDirectories)[0];
        Refused(obj, $"The path '{obj}' is inside '{Path.Combine(Data, "backup")}', CinderBackup's repository 'main'; it cannot be a volume.");
        // Users may keep their own images elsewhere in the data directory.
        var mine = Path.Combine(Data, "my-images", "disk.img");
        Directory.CreateDirectory(Path.GetDirectoryName(mine)!);
        File.Copy(Image("disk-source.img"), mine);
        Assert.Equal(mine, _bob.Volumes.Register("mine", mine).Path);
    }

    [Fact]
    public void AnotherProjectsVolumeIsRefusedByLinkOrHardLinkWithoutNamingIt()
    {
        var link = _home.File_("her.img");
        File.CreateSymbolicLink(link, _aliceVolume.Path);
        Refused(link, $"The path '{link}' is already a volume of another project.");
        var hard = _home.File_("her-hard.img");
        Run("ln", _aliceVolume.Path, hard);
        Refused(hard, $"The path '{hard}' is already a volume of another project.");
        // Her snapshot's image too.
        var snapshot = _alice.Snapshots.Get("alice-snap").Path;
        var snapLink = _home.File_("her-snap.img");
        File.CreateSymbolicLink(snapLink, snapshot);
        Refused(snapLink, $"The path '{snapLink}' is already a snapshot of another project.");
        // Her registered image, reached through a second name.
        var hers = Image("hers.img");
        _alice.Volumes.Register("alice-reg", hers);
        var second = _home.File_("hers-again.img");
        File.CreateSymbolicLink(second, hers);
        Refused(second, $"The path '{second}' is already a volume of another project.");
        // The owner (and an admin) are told which volume it is.
        var own = _alice.Volumes.Get("alice-reg").Id;
        Assert.Equal($"The path '{second}' is already volume {own}.", Assert.Throws<CinderBackupException>(() => _alice.Volumes.Register("again", second)).Message);
    }

    [Fact]
    public void OnlyRegularFilesAndBlockDevicesAreTakenAndAFifoIsNeverOpened()
    {
        var fifo = _home.File_("pipe.img");
        Run("mkfifo", fifo);
        Refused(fifo, $"The path '{fifo}' is a FIFO (named pipe), not an image file or block device.");
        var fifoLink = _home.File_("pipe-link.img");
        File.CreateSymbolicLink(fifoLink, fifo);
        Refused(fifoLink, $"The path '{fifoLink}' is a FIFO (named pipe), not an image file or block device.");
        var socketPath = _home.File_("socket.img");
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            Refused(socketPath, $"The path '{socketPath}' is a socket, not an image file or block device.");
        }
        Refused("/dev/zero", "The path '/dev/zero' is a character device, not an image file or block device.");
        Refused(_home.Root, $"The path '{_home.Root}' is a directory, not an image file or block device.");
    }

    /// <summary>Bob's volume registered through a link to his own image; then the link is pointed elsewhere.</summary>
    private (BlockVolume Volume, string Link) RegisteredThroughALink()
    {
        var link = _home.File_("bob-link.img");
        File.CreateSymbolicLink(link, Image("bob.img", 1024));
        var v = _bob.Volumes.Register("bob-reg", link);
        _bob.Backups.Create(new BackupCreateOptions { Volume = "bob-reg", Name = "bob-backup" });
        return (v, link);
    }

    private static void Retarget(string link, string target)
    {
        File.Delete(link);
        File.CreateSymbolicLink(link, target);
    }

    [Fact]
    public void ARegisteredLinkPointedAtAnotherProjectsVolumeIsNeitherReadNorWritten()
    {
        var (volume, link) = RegisteredThroughALink();
        Retarget(link, _aliceVolume.Path);
        var hers = Disk.Sha256(_aliceVolume.Path);
        var backups = _bob.Backups.List().Count;
        foreach (var act in new Action[]
        {
            () => _bob.Backups.Create(new BackupCreateOptions { Volume = "bob-reg", Name = "stolen" }),
            () => _bob.Backups.Restore("bob-backup", "bob-reg"),
            () => _bob.Snapshots.Create("bob-reg", "stolen-snap"),
        })
        {
            var e = Assert.Throws<CinderBackupException>(act);
            Assert.Equal(ErrorIds.InvalidPath, e.ErrorId);
            Assert.Equal($"Volume 'bob-reg' ({volume.Id}) is the registered path '{link}', which no longer leads to a file it may use (a link may have been changed since it was registered): The path '{link}' is already a volume of another project.", e.Message);
        }
        Assert.Equal(hers, Disk.Sha256(_aliceVolume.Path));
        Assert.Equal(backups, _bob.Backups.List().Count);
        Assert.Empty(_bob.Snapshots.List());
        Assert.Equal("available", _bob.Volumes.Get("bob-reg").Status);
        Assert.Equal("available", _bob.Backups.Get("bob-backup").Status);
    }

    [SqliteFileFact]
    public void ARegisteredLinkPointedAtTheCatalogOrAFifoIsRefusedWithoutHanging()
    {
        var (_, link) = RegisteredThroughALink();
        Retarget(link, _home.CatalogPath);
        var e = Assert.Throws<CinderBackupException>(() => _bob.Backups.Restore("bob-backup", "bob-reg"));
        Assert.Contains($"The path '{link}' is CinderBackup's own catalog", e.Message);
        Assert.Equal("alice-backup", _admin.Backups.List(allProjects: true).Single(b => b.ProjectId == "pa").Name); // the catalog still works

        var fifo = _home.File_("later.fifo");
        Run("mkfifo", fifo);
        Retarget(link, fifo);
        var e2 = Within(() => Assert.Throws<CinderBackupException>(() => _bob.Backups.Create(new BackupCreateOptions { Volume = "bob-reg" })),
            "a backup of a registered path that became a FIFO");
        Assert.Contains("is a FIFO (named pipe), not an image file or block device", e2.Message);
    }

    [Fact]
    public void ARegisteredLinkPointedAtAnotherOrdinaryFileOfTheUserStillWorks()
    {
        // Decided: the rules are checked again at every use, but the file is not pinned. A device link
        // (/dev/disk/by-id/...) may lead to another node after a reboot, and an image may be replaced by a copy.
        var (_, link) = RegisteredThroughALink();
        Retarget(link, Image("bob-copy.img", 1024));
        var b = _bob.Backups.Create(new BackupCreateOptions { Volume = "bob-reg", Name = "after" });
        Assert.Equal("available", b.Status);
    }

    [Fact]
    public void AnOpenThatFindsAnotherFileThanTheCheckDidNeitherHangsNorUsesIt()
    {
        // The race the check cannot close by itself: between the check and the open, the path becomes a FIFO.
        var image = Image("checked.img");
        var checkedIdentity = Native.FileIdentity.Of(image)!.Value;
        File.Delete(image);
        Run("mkfifo", image);
        foreach (var write in new[] { false, true })
        {
            var e = Within(() => Assert.ThrowsAny<Exception>(() => Volumes.VolumeFile.Open(image, write, checkedIdentity).Dispose()),
                $"opening a FIFO for {(write ? "writing" : "reading")}");
            Assert.True(e is CinderBackupException { ErrorId: ErrorIds.InvalidPath } or IOException, e.ToString());
        }
        // And a different regular file in its place is refused too (made before the FIFO goes, so it has an inode of its own).
        File.Move(Image("replacement.img"), image, overwrite: true);
        var other = Assert.Throws<CinderBackupException>(() => Volumes.VolumeFile.Open(image, false, checkedIdentity).Dispose());
        Assert.Contains("changed while it was being opened", other.Message);
    }
}
