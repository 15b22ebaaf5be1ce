using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// The zeroing of a restore target past the backup's size (restore_discard_excess_bytes, issue 16, item 12) is a step
/// of the restore's data path: killed with -9 just before or after it, or failing for want of space, the restore ends
/// as any failed restore (the backup available, the target error_restoring, the reason recorded), and after a reset
/// of the target's state the next restore leaves no old byte past the backup's size. Posix here; a derived class runs
/// the same cases on another repository.
/// </summary>
public class RestoreExcessCliTests : IDisposable
{
    private const int Killed = 137;
    private readonly TempHome _home = new();

    public RestoreExcessCliTests()
        : this("backup_file_size: 1MiB\nbackup_workers: 2\n")
    {
    }

    protected RestoreExcessCliTests(string config) => _home.WriteConfig(config);

    /// <summary>What the message adds to the full directory when the zeroing fails for want of space.</summary>
    protected virtual string ZeroingFailure => "Cannot zero the target volume past the backup's";

    public void Dispose()
    {
        _home.Dispose();
        GC.SuppressFinalize(this);
    }

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    private static bool TailIsZero(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read);
        var buffer = new byte[1 << 20];
        for (fs.Position = 1L << 30; ;)
        {
            var n = fs.Read(buffer);
            if (n == 0)
            {
                return true;
            }
            if (!buffer.AsSpan(0, n).ContainsAnyExcept((byte)0))
            {
                continue;
            }
            return false;
        }
    }

    [Fact]
    public void KilledOrOutOfSpaceWhileZeroingTheTargetEndsAsAFailedRestoreAndTheNextRestoreZeroes()
    {
        Ok("volume", "create", "--size", "1", "src");
        var source = Value("volume", "show", "src", "-c", "path");
        Disk.WriteRandom(source, 0, 6 << 20, 1);
        var backup = Value("volume", "backup", "create", "src", "-c", "id");
        Ok("volume", "create", "--size", "2", "target");
        var target = Value("volume", "show", "target", "-c", "path");

        foreach (var fault in new[] { "restore.excess", "restore.excess.zeroed", "restore.excess:enospc" })
        {
            Disk.WriteRandom(target, (3L << 29) + (5 << 20), 3 << 20, 2); // old data at 1.5 GiB
            Assert.False(TailIsZero(target));
            _home.Set("CINDERBACKUP_FAULT", fault);
            var r = CliRunner.Run(_home, "volume", "backup", "restore", backup, "target");
            _home.Set("CINDERBACKUP_FAULT", null);
            if (fault.EndsWith(":enospc", StringComparison.Ordinal))
            {
                Assert.True(r.ExitCode == 1, r.ToString());
                var reason = $"No space left on device: the file system holding '{Path.GetDirectoryName(target)}' is full";
                Assert.Contains(reason, r.Stderr);
                Assert.Contains(ZeroingFailure, r.Stderr);
                Assert.Contains(reason, Value("volume", "backup", "show", backup, "-c", "fail_reason"));
            }
            else
            {
                Assert.True(r.ExitCode == Killed, $"{fault}: expected the process to be killed there\n{r}");
            }
            // The next process finds a failed restore: the backup available, the target error_restoring, quotas intact.
            using (var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env }))
            {
                Assert.Equal("available", engine.Backups.Get(backup).Status);
                Assert.Equal("error_restoring", engine.Volumes.Get("target").Status);
                Assert.True(engine.Backups.Verify(backup, deep: true).IsValid, fault);
            }
            Ok("volume", "set", "--state", "available", "target");
            Ok("volume", "backup", "restore", backup, "target");
            Assert.True(TailIsZero(target), $"{fault}: old data past the backup's size survived the next restore");
            Assert.Equal(Disk.Sha256(source), Sha256Prefix(target, 1L << 30));
        }
    }

    private static string Sha256Prefix(string path, long length)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read);
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (long left = length; left > 0;)
        {
            var n = fs.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            sha.AppendData(buffer, 0, n);
            left -= n;
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
