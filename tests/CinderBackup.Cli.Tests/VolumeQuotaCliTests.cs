namespace CinderBackup.Cli.Tests;

/// <summary>
/// Issue 20, item 2: the volume quotas `volumes` and `gigabytes` refuse a new volume, a restore into a new volume and
/// `volume create --backup` with Cinder's texts, as the CERN guide lists them, and change nothing when they do.
/// </summary>
public sealed class VolumeQuotaCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public VolumeQuotaCliTests() => _home.WriteConfig("backup_file_size: 4MiB\n");

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    private void Refused(string stderr, params string[] args) => CliRunner.Refused(_home, stderr, args);

    [Fact]
    public void NewAndRestoredVolumesAreRefusedOverQuotaWithCindersTexts()
    {
        Ok("quota", "set", "--volumes", "2", "--gigabytes", "3", "default");
        Assert.Equal("1000\n10\n3\n2", Value("quota", "show"));
        Ok("volume", "create", "--size", "2", "v1");
        Disk.WriteRandom(Value("volume", "show", "v1", "-c", "path"), 0, 1 << 20, seed: 1);
        Ok("volume", "backup", "create", "--name", "b", "v1");

        const string size = "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 2G, quota is 3G and 2G has been consumed. (HTTP 413)\n";
        Refused(size, "volume", "create", "--size", "2", "v2");
        Refused(size, "volume", "backup", "restore", "b");
        Refused(size, "volume", "create", "--backup", "b", "v2");
        Assert.Equal("available", Value("volume", "backup", "show", "b", "-c", "status"));

        Ok("quota", "set", "--gigabytes", "10", "default");
        Ok("volume", "create", "--size", "1", "v2");
        const string count = "VolumeLimitExceeded: Maximum number of volumes allowed (2) exceeded for quota 'volumes'. (HTTP 413)\n";
        Refused(count, "volume", "create", "--size", "1", "v3");
        Refused(count, "volume", "backup", "restore", "b");
        Refused(count, "volume", "create", "--backup", "b", "v3");
        var image = Path.Combine(_home.Home, "image");
        File.WriteAllBytes(image, new byte[4096]);
        Refused(count, "volume", "register", "--path", image, "v3");

        var usage = Ok("quota", "usage").Stdout.Split('\n');
        Assert.Equal("| Type             | In_use | Reserved | Limit | Allocated |", usage[1]);
        Assert.Equal("| backup_gigabytes |      2 |        0 |  1000 |           |", usage[3]);
        Assert.Equal("| backups          |      1 |        0 |    10 |           |", usage[4]);
        Assert.Equal("| gigabytes        |      3 |        0 |    10 |           |", usage[5]);
        Assert.Equal("| volumes          |      2 |        0 |     2 |           |", usage[6]);

        // A deleted volume gives its room back: the restore into a new volume now goes through.
        Ok("volume", "delete", "v2");
        var restored = Ok("volume", "backup", "restore", "b").Stdout;
        Assert.Contains("| volume_id ", restored);
        Assert.Equal("2", Value("quota", "usage", "-c", "In_use", "default").Split('\n')[3]);
        // Unlimited again.
        Ok("quota", "set", "--volumes", "-1", "default");
        Ok("volume", "create", "--size", "1", "v4");
    }

    private static string OverGigabytes(int requested, int quota, int consumed) =>
        $"VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested {requested}G, quota is {quota}G and {consumed}G has been consumed. (HTTP 413)\n";

    /// <summary>The gigabytes row of `quota usage` (In_use, Reserved, Limit).</summary>
    private string GigabytesUsage() => Ok("quota", "usage").Stdout.Split('\n')[5];

    [Fact]
    public void SnapshotsAndExtendsCountAgainstGigabytesWithCindersText()
    {
        Ok("quota", "set", "--gigabytes", "5", "default");
        Ok("volume", "create", "--size", "2", "v1");
        Ok("volume", "snapshot", "create", "--volume", "v1", "s1");
        Assert.Equal("| gigabytes        |      4 |        0 |     5 |           |", GigabytesUsage());

        // Cinder reserves a snapshot's volume size, and an extend's added size, in gigabytes.
        Refused(OverGigabytes(2, 5, 4), "volume", "snapshot", "create", "--volume", "v1", "s2");
        Refused(OverGigabytes(4, 5, 4), "volume", "set", "--size", "6", "v1");
        Refused(OverGigabytes(2, 5, 4), "volume", "create", "--size", "2", "v2");
        Assert.Equal("| gigabytes        |      4 |        0 |     5 |           |", GigabytesUsage());

        Ok("volume", "snapshot", "delete", "s1");
        Assert.Equal("| gigabytes        |      2 |        0 |     5 |           |", GigabytesUsage());
        Ok("volume", "set", "--size", "5", "v1");
        Assert.Equal("5", Value("volume", "show", "v1", "-c", "size"));
        Assert.Equal("| gigabytes        |      5 |        0 |     5 |           |", GigabytesUsage());
        Refused(OverGigabytes(5, 5, 5), "volume", "snapshot", "create", "--volume", "v1", "s3");
        Refused(OverGigabytes(1, 5, 5), "volume", "set", "--size", "6", "v1");
    }
}
