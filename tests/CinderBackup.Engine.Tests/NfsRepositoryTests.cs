using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.ObjectStores.Nfs;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// NFS repositories with a fake mount command (a script that records its arguments and adds the mount to a fake
/// mount table): Cinder's mount point, the command line, retries, errors, and a pre-mounted root used as posix.
/// </summary>
public sealed class NfsRepositoryTests : IDisposable
{
    private const string Share = "nfsserver:/export/backups";
    private readonly TempHome _home = new();
    private readonly string _mounts;
    private readonly string _calls;

    public NfsRepositoryTests()
    {
        _mounts = _home.File_("mounts");
        _calls = _home.File_("mount-calls");
        File.WriteAllText(_mounts, "proc /proc proc rw 0 0\n");
        _home.Set(NfsMounter.MountsFileVariable, _mounts);
    }

    public void Dispose() => _home.Dispose();

    /// <summary>A mount program that fails its first <paramref name="failures"/> calls, then "mounts".</summary>
    private string FakeMount(int failures)
    {
        var script = _home.File_("fake-mount");
        File.WriteAllText(script, $$"""
            #!/bin/bash
            printf '%s\n' "$*" >> '{{_calls}}'
            n=$(wc -l < '{{_calls}}')
            if [ "$n" -le {{failures}} ]; then
              echo "mount.nfs: Connection timed out" >&2
              exit 32
            fi
            # the last two arguments are the share and the mount point
            eval "dir=\${$#}"
            printf '%s %s nfs4 rw,relatime 0 0\n' "nfsserver:/export/backups" "$(printf '%s' "$dir" | sed 's/ /\\040/g')" >> '{{_mounts}}'
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    private string Base => _home.File_("mnt base");

    private void Configure(string mountCommand, string extra = "") => _home.WriteConfig($"""
        backup_driver: nfs
        backup_share: {Share}
        backup_mount_point_base: {Base}
        backup_mount_command: {mountCommand}
        backup_file_size: 1MiB
        {extra}
        """);

    [Fact]
    public void TheMountPointIsTheMd5OfTheShareAsCinderHasIt() =>
        Assert.Equal("/base/4858fef37da8791bc7a13faf3adfead1", NfsMounter.MountPoint("/base", Share));

    [Fact]
    public void TheShareIsMountedWithTheSystemCommandAndUsedAsAPosixRepository()
    {
        Configure(FakeMount(0) + " --fake-flag", "backup_mount_options: vers=4.1,soft");
        using var engine = EngineFactory.Open(_home);
        var root = NfsMounter.MountPoint(Base, Share);
        var v = S3Home.Volume(engine, _home, "nfsvol");
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });

        Assert.Equal($"--fake-flag -t nfs -o vers=4.1,soft {Share} {root}", File.ReadAllText(_calls).Trim());
        Assert.Equal(RepositoryDefinitionNames.Nfs, b.Service);
        Assert.Equal(Path.Combine(b.Id[..2], b.Id[2..4], b.Id), b.Container);
        Assert.Matches($"^volume_{v.Id}_\\d{{14}}_backup_{b.Id}$", b.ServiceMetadata); // the posix prefix
        Assert.True(File.Exists(Path.Combine(root, b.Container!, b.ServiceMetadata + "_metadata")));

        // Mounted now: later operations do not mount again.
        var restored = engine.Backups.Restore(b.Id);
        Assert.True(engine.Backups.Verify(b.Id, deep: true).IsValid);
        var length = new FileInfo(v.Path).Length;
        Assert.Equal(S3Home.Sha(v.Path, length), S3Home.Sha(engine.Volumes.Get(restored.VolumeId).Path, length));
        Assert.Single(File.ReadAllLines(_calls));
        var listed = new RepositoryApi(engine.Config).Get("default");
        Assert.Equal((true, root, Share), (listed.Reachable!.Value, listed.Location, listed.Share));
    }

    [Fact]
    public void FailedMountsAreRetried()
    {
        Configure(FakeMount(2), "backup_mount_attempts: 3");
        using var engine = EngineFactory.Open(_home);
        var repository = engine.Config.DefaultRepository;
        var delays = new List<TimeSpan>();
        var root = NfsMounter.EnsureMounted(repository, t =>
        {
            delays.Add(t);
            return Task.CompletedTask;
        });
        Assert.Equal(NfsMounter.MountPoint(Base, Share), root);
        Assert.Equal(3, File.ReadAllLines(_calls).Length);
        Assert.Equal(new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) }, delays);
    }

    [Fact]
    public void AnUnmountableShareIsAClearErrorNamingTheRepositoryAndRecordsNothing()
    {
        _home.WriteConfig($"""
            repositories:
              local:
                default: true
              offsite:
                backup_driver: nfs
                backup_share: {Share}
                backup_mount_point_base: {Base}
                backup_mount_command: {FakeMount(100)}
                backup_mount_attempts: 2
            """);
        using var engine = EngineFactory.Open(_home);
        var v = S3Home.Volume(engine, _home, "nfsfail");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id, Repository = "offsite" }));
        Assert.Equal(ErrorIds.RepositoryUnavailable, e.ErrorId);
        Assert.Equal("offsite", e.Target);
        Assert.StartsWith($"Repository 'offsite' (nfs): cannot mount the share '{Share}' on '{NfsMounter.MountPoint(Base, Share)}': 2 attempts failed; the last: ", e.Message);
        Assert.Contains("exited with 32: mount.nfs: Connection timed out", e.Message);
        Assert.Equal(2, File.ReadAllLines(_calls).Length);
        Assert.Empty(engine.Backups.List());
        Assert.Equal("available", engine.Volumes.Get(v.Id).Status);

        var listed = new RepositoryApi(engine.Config).List();
        Assert.Equal((true, (bool?)true), (listed[0].IsDefault, listed[0].Reachable));
        Assert.Equal((false, (bool?)false), (listed[1].IsDefault, listed[1].Reachable));
        Assert.Contains("cannot mount the share", listed[1].Problem);
    }

    [Fact]
    public void APreMountedRootIsUsedWithoutMounting()
    {
        var root = NfsMounter.MountPoint(Base, Share);
        Directory.CreateDirectory(root);
        File.AppendAllText(_mounts, $"{Share} {root.Replace(" ", "\\040")} nfs4 rw 0 0\n");
        Configure("/bin/false");
        using var engine = EngineFactory.Open(_home);
        var v = S3Home.Volume(engine, _home, "premounted");
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        Assert.True(File.Exists(Path.Combine(root, b.Container!, b.ServiceMetadata + "_sha256file")));
        Assert.True(engine.Backups.Verify(b.Id).IsValid);
        engine.Backups.Delete(b.Id);
        Assert.Equal(new[] { Path.Combine(root, ".cinderbackup-repository") }, Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)); // the marker stays
    }

    [Fact]
    public void AShareMustBeConfigured()
    {
        _home.WriteConfig("backup_driver: nfs\n");
        using var engine = EngineFactory.Open(_home);
        var v = S3Home.Volume(engine, _home, "noshare");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
        Assert.Equal(ErrorIds.ConfigInvalid, e.ErrorId);
        Assert.Equal($"Repository 'default' (nfs): backup_share is not set in '{_home.ConfigPath}'; set it to the NFS share, e.g. 'server:/export/backup'.", e.Message);
        Assert.Empty(engine.Backups.List());
    }
}
