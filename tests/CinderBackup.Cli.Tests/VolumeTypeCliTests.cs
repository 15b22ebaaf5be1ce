namespace CinderBackup.Cli.Tests;

/// <summary>
/// Issue 20, item 3: volume types. `volume create --type` needs a type that exists; `volume type create|delete` are
/// admin only, with Cinder's texts; the type is shown on volumes; the CERN procedure's io1 volume as a restore target.
/// </summary>
public sealed class VolumeTypeCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public VolumeTypeCliTests() => _home.WriteConfig("backup_file_size: 4MiB\n");

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    private string Value(params string[] args) => CliRunner.Value(_home, args);

    private void Refused(string stderr, params string[] args) => CliRunner.Refused(_home, stderr, args);

    [Fact]
    public void TheCernProcedureRestoresIntoAnIo1Volume()
    {
        Assert.Equal("__DEFAULT__", Value("volume", "type", "list", "-c", "Name"));
        Ok("volume", "create", "--size", "1", "myvol10");
        Assert.Equal("__DEFAULT__", Value("volume", "show", "myvol10", "-c", "type"));
        Disk.WriteRandom(Value("volume", "show", "myvol10", "-c", "path"), 0, 1 << 20, seed: 1);
        Ok("volume", "backup", "create", "--name", "myvol10-incr1", "myvol10");

        Ok("volume", "type", "create", "io1", "--description", "fast");
        Assert.Equal("__DEFAULT__ True\nio1 True", Value("volume", "type", "list", "-c", "Name", "-c", "Is Public"));
        // As the CERN page: a custom volume first, then the restore into it with --force; it keeps its type.
        Ok("volume", "create", "--description", "restored from myvol10-incr1", "--size", "2", "--type", "io1", "myvol-restored");
        Ok("volume", "backup", "restore", "myvol10-incr1", "myvol-restored", "--force");
        Assert.Equal("io1", Value("volume", "show", "myvol-restored", "-c", "type"));
        Assert.Equal("io1", Value("volume", "list", "--long", "--name", "myvol-restored", "-c", "Type"));

        // A restore into a new volume makes it __DEFAULT__, as Cinder's does; volume create --backup takes --type.
        Ok("volume", "backup", "restore", "myvol10-incr1", "--name", "r1");
        Assert.Equal("__DEFAULT__", Value("volume", "show", "r1", "-c", "type"));
        Ok("volume", "create", "--backup", "myvol10-incr1", "--type", "io1", "r2");
        Assert.Equal("io1", Value("volume", "show", "r2", "-c", "type"));
    }

    [Fact]
    public void ATypeInUseOrUnknownOrTakenIsRefusedWithCindersTexts()
    {
        Ok("volume", "type", "list"); // the catalog exists before the first refusal, so the snapshots compare its content
        Refused("Volume type with name io1 could not be found.\n", "volume", "create", "--size", "1", "--type", "io1", "v1");
        var id = Value("volume", "type", "create", "io1", "-c", "id");
        Refused("Volume Type io1 already exists. (HTTP 400)\n", "volume", "type", "create", "io1");
        Ok("volume", "create", "--size", "1", "--type", id, "v1"); // by id as well as by name

        Refused($"Failed to delete volume type with name or ID 'io1': Volume Type {id} deletion is not allowed with volumes present with the type. (HTTP 400)\n"
            + "1 of 1 volume types failed to delete.\n", "volume", "type", "delete", "io1");
        Ok("volume", "delete", "v1");
        Ok("volume", "type", "delete", "io1");
        Assert.Equal("__DEFAULT__", Value("volume", "type", "list", "-c", "Name"));
    }

    [Fact]
    public void ATypeIsInUseWhateverProjectHasTheVolume()
    {
        Ok("volume", "type", "create", "io1");
        Ok("--os-project-name", "other", "--os-admin", "false", "volume", "create", "--size", "1", "--type", "io1", "theirs");
        var r = CliRunner.Run(_home, "volume", "type", "delete", "io1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("deletion is not allowed with volumes present with the type.", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("__DEFAULT__\nio1", Value("--os-project-name", "other", "--os-admin", "false", "volume", "type", "list", "-c", "Name"));
    }
}
