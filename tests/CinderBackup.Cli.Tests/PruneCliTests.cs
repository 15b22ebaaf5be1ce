using System.Text.Json;

namespace CinderBackup.Cli.Tests;

/// <summary><c>volume backup prune</c> through the real process (issue 20, item 6): dry run, removal, the summary line.</summary>
public sealed class PruneCliTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private CliRunner.Result Ok(params string[] args) => CliRunner.Ok(_home, args);

    [Fact]
    public void DryRunShowsThePlanAndPruneFollowsIt()
    {
        Ok("volume", "create", "--size", "1", "vol1");
        var img = CliRunner.Value(_home, "volume", "show", "vol1", "-c", "path");
        Disk.WriteRandom(img, 0, 1 << 20, seed: 1);
        var full = CliRunner.Value(_home, "volume", "backup", "create", "--name", "full1", "vol1", "-c", "id");
        Disk.WriteRandom(img, 4 << 20, 1 << 20, seed: 2);
        var inc = CliRunner.Value(_home, "volume", "backup", "create", "--name", "inc1", "--incremental", "vol1", "-c", "id");
        var full2 = CliRunner.Value(_home, "volume", "backup", "create", "--name", "full2", "vol1", "-c", "id");

        var dry = Ok("volume", "backup", "prune", "--keep-last", "2", "--dry-run", "-f", "json");
        var rows = JsonDocument.Parse(dry.Stdout).RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("ID").GetString()!, e.GetProperty("Action").GetString()!, e.GetProperty("Reason").GetString()!)).ToList();
        Assert.Equal(new[] { (full2, "keep", "last 1"), (inc, "keep", "last 2"), (full, "keep", $"parent of {inc}") }, rows);
        Assert.Equal("Policy last 2: 3 kept, 0 would be removed (dry run).\n", dry.Stderr);

        var table = Ok("volume", "backup", "prune", "--keep-last", "1", "--dry-run");
        Assert.Contains("| ID ", table.Stdout.Split('\n')[1]);
        Assert.Contains("| Action | Reason ", table.Stdout);
        Assert.Equal(3, CliRunner.Value(_home, "volume", "backup", "list", "-c", "ID").Split('\n').Length);

        var pruned = Ok("volume", "backup", "prune", "--keep-last", "1", "--volume", "vol1", "-f", "value", "-c", "ID", "-c", "Action");
        Assert.Equal($"{full2} keep\n{inc} removed\n{full} removed\n", pruned.Stdout);
        Assert.Equal("Policy last 1: 1 kept, 2 removed.\n", pruned.Stderr);
        Assert.Equal(full2, CliRunner.Value(_home, "volume", "backup", "list", "-c", "ID"));
    }

    [Fact]
    public void HelpNamesEveryRule()
    {
        var help = Ok("volume", "backup", "prune", "--help").Stdout;
        foreach (var option in new[] { "--keep-last", "--keep-daily", "--keep-weekly", "--keep-monthly", "--volume", "--dry-run", "newest first", "UTC" })
        {
            Assert.Contains(option, help);
        }
    }
}
