using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// Text the tool did not write itself (issue 16, item 9): a name with control characters imported from a Cinder record
/// reaches no terminal raw in any output format, and <c>eval "$(cinder-backup ... -f shell)"</c> assigns a name such as
/// <c>n$(touch x)</c> exactly and runs nothing.
/// </summary>
public sealed class UntrustedTextCliTests : IDisposable
{
    private const string Posix = "cinder.backup.drivers.posix.PosixBackupDriver";

    private readonly TempHome _home = new();

    public UntrustedTextCliTests() => _home.WriteConfig("backup_file_size: 4MiB\n");

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    /// <summary>
    /// A backup made through the engine, then a copy of its record imported with a new id (its prefix bound to it, so it
    /// claims no object of the first), name and description.
    /// </summary>
    private string ImportNamed(string name, string description)
    {
        using var engine = BackupEngine.Open(new EngineOptions { Environment = _home.Env });
        var v = engine.Volumes.Create("vol", 1);
        Disk.WriteRandom(v.Path, 0, 1 << 20, seed: 4);
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = "vol", Name = "plain" });
        var json = JsonNode.Parse(Convert.FromBase64String(engine.Records.Export(b.Id)[0].BackupUrl))!.AsObject();
        var id = Guid.NewGuid().ToString();
        json["id"] = id;
        json["display_name"] = name;
        json["display_description"] = description;
        json["service_metadata"] = ((string)json["service_metadata"]!).Replace(b.Id, id, StringComparison.Ordinal);
        Ok("volume", "backup", "record", "import", Posix, Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToJsonString())));
        return id;
    }

    /// <summary>Runs <paramref name="script"/> in bash with the output as $1 and returns what it prints.</summary>
    private static string Bash(string script, string output)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", script, "bash", output })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stderr);
        return stdout;
    }

    private static void AssertNoRawControl(string output, string what) =>
        Assert.False(output.Any(c => char.IsControl(c) && c != '\n'), $"{what} holds a raw control character:\n{output}");

    [Fact]
    public void EvalOfShellOutputAssignsTheExactNameAndRunsNothing()
    {
        var marker = _home.File_("ran");
        var name = $"n$(touch {marker})`touch {marker}`\\\"'${{HOME}}!";
        Ok("volume", "create", "--size", "1", "vol");
        Ok("volume", "backup", "create", "--name", name, "vol");
        var shell = Ok("volume", "backup", "show", name, "-f", "shell", "-c", "name").Stdout;
        // cliff's form (name="..."), with \, ", $ and ` escaped as well as ".
        Assert.Equal($"name=\"n\\$(touch {marker})\\`touch {marker}\\`\\\\\\\"'\\${{HOME}}!\"\n", shell);
        Assert.Equal(name, Bash("eval \"$1\"; printf '%s' \"$name\"", shell));
        Assert.False(File.Exists(marker), "eval ran a command from the name");
        // The same in sh (dash).
        var psi = new ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", "eval \"$1\"", "sh", shell })
        {
            psi.ArgumentList.Add(a);
        }
        using (var p = Process.Start(psi)!)
        {
            p.WaitForExit();
        }
        Assert.False(File.Exists(marker), "sh's eval ran a command from the name");
        // --prefix goes unquoted before the names: only a shell name prefix is accepted.
        var bad = CliRunner.Run(_home, "volume", "backup", "show", name, "-f", "shell", "--prefix", "x=1;touch " + marker + ";y");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("is not a shell variable name prefix", bad.Stderr);
        Assert.Equal("", bad.Stdout);
        Assert.Equal("b_name=", Ok("volume", "backup", "show", name, "-f", "shell", "-c", "name", "--prefix", "b_").Stdout[..7]);
    }

    [Fact]
    public void ANameWithControlCharactersImportsAndNoOutputCarriesThemRaw()
    {
        var name = "evil\u001b[31mred\u0007\r\nline\u009b2J";
        var description = "tab\there\u0000";
        var id = ImportNamed(name, description);

        foreach (var format in new[] { "table", "json", "yaml", "value", "shell" })
        {
            var output = Ok("volume", "backup", "show", id, "-f", format).Stdout;
            AssertNoRawControl(output, $"show -f {format}");
            if (format is "table" or "value")
            {
                Assert.Contains("evil\\u001b[31mred\\u0007\\u000d\\u000aline\\u009b2J", output);
                Assert.Contains("tab\\u0009here\\u0000", output);
            }
            if (format == "shell")
            {
                Assert.Contains("name=$'evil\\x1b[31mred\\x07\\x0d\\x0aline\\xc2\\x9b2J'\n", output);
                Assert.Equal(name, Bash("eval \"$1\"; printf '%s' \"$name\"", output));
                Assert.Equal(description.TrimEnd('\0'), Bash("eval \"$1\"; printf '%s' \"$description\"", output)); // bash strings end at NUL
            }
        }
        var json = JsonDocument.Parse(Ok("volume", "backup", "show", id, "-f", "json").Stdout).RootElement;
        Assert.Equal(name, json.GetProperty("name").GetString());
        Assert.Equal(description, json.GetProperty("description").GetString());

        foreach (var format in new[] { "table", "json", "yaml", "value", "csv" })
        {
            var output = Ok("volume", "backup", "list", "--long", "-f", format).Stdout;
            AssertNoRawControl(output, $"list -f {format}");
            if (format is "table" or "value" or "csv")
            {
                Assert.Contains("evil\\u001b[31mred", output);
            }
        }
        var listed = JsonDocument.Parse(Ok("volume", "backup", "list", "-f", "json").Stdout).RootElement;
        Assert.Contains(listed.EnumerateArray(), b => b.GetProperty("Name").GetString() == name);

        // Messages and confirmations that name it escape it too.
        var r = CliRunner.Run(_home, "volume", "backup", "show", name);
        Assert.Equal(0, r.ExitCode);
        AssertNoRawControl(r.Stdout + r.Stderr, "show by name");
        var refused = CliRunner.Run(_home, "volume", "backup", "set", "--name", name, id);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("contains control characters", refused.Stderr);
        AssertNoRawControl(refused.Stderr, "the refusal");
    }
}
