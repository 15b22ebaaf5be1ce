using System.Diagnostics;
using CinderBackup.Engine.Api;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// The hidden `worker` command takes only what was handed to it (issue 16, item 4): a worker process without the claim
/// token, with a wrong or spent one, of another project, or for an operation a live worker runs, is refused and changes
/// nothing; of two workers started with one token, exactly one runs the backup.
/// </summary>
public sealed class WorkerClaimCliTests : IDisposable
{
    private const string Fast = "backup_file_size: 4MiB\n";
    private readonly TempHome _home = new();
    private readonly CliProcesses _background = new();

    public WorkerClaimCliTests()
    {
        _home.WriteConfig(Fast);
        CliRunner.Ok(_home, "volume", "create", "--size", "1", "v");
        Disk.WriteRandom(CliRunner.Value(_home, "volume", "show", "v", "-c", "path"), 0, 48 << 20, 1);
    }

    public void Dispose()
    {
        _background.Dispose();
        _home.Dispose();
    }

    private BackupEngine Engine() => BackupEngine.Open(new EngineOptions { Environment = _home.Env });

    /// <summary>A backup prepared by this (live) process and offered to a worker: its id and token.</summary>
    private (string Id, string Token) Prepared()
    {
        using var engine = Engine();
        var id = engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v", Name = "b" }).Id;
        return (id, engine.Backups.HandOff(id));
    }

    private ProcessStartInfo WorkerCommand(string id, string? token, params string[] options)
    {
        var psi = CliRunner.Start(_home, new[] { "worker", "create", id }.Concat(options));
        psi.Environment.Remove("CINDERBACKUP_CLAIM_TOKEN");
        if (token is not null)
        {
            psi.Environment["CINDERBACKUP_CLAIM_TOKEN"] = token;
        }
        return psi;
    }

    private Process Background(ProcessStartInfo psi) => _background.Start(psi);

    private static CliRunner.Result End(Process p) => CliProcesses.End(p);

    private CliRunner.Result Run(string id, string? token, params string[] options) => End(Background(WorkerCommand(id, token, options)));

    private string Snapshot() => StateSnapshot.Take(_home.CatalogPath, new[] { _home.Home }, "services");

    private int? Owner(string id)
    {
        using var engine = Engine();
        return engine.Backups.OwnerProcess(id);
    }

    private void AvailableAndWhole(string id)
    {
        using var engine = Engine();
        var b = engine.Backups.Get(id);
        Assert.Equal("available", b.Status);
        Assert.True(engine.Backups.Verify(id, deep: true).IsValid);
        var files = RepositoryFiles.Of(Path.Combine(_home.Home, "backup"));
        Assert.Equal(b.ObjectCount + 2, files.Count); // one copy: its objects, _sha256file and _metadata
        Assert.All(files, f => Assert.StartsWith(b.ServiceMetadata!, Path.GetFileName(f)));
    }

    [Fact]
    public void AWorkerWithoutItsTokenWithAWrongOneOrOfAnotherProjectIsRefusedAndChangesNothing()
    {
        var (id, token) = Prepared();
        var before = Snapshot();

        var r = Run(id, null);
        Assert.Equal((1, $"Backup {id}: its create operation was not handed to this process (no claim token), or another process runs it; nothing was changed. (HTTP 403)\n"), (r.ExitCode, r.Stderr));
        Assert.Equal(before, Snapshot());

        r = Run(id, token[..^1] + (token[^1] == '0' ? '1' : '0'));
        Assert.Equal((1, $"Backup {id}: its create operation was not handed to this process (the claim token is wrong, or already used), or another process runs it; nothing was changed. (HTTP 403)\n"), (r.ExitCode, r.Stderr));
        Assert.Equal(before, Snapshot());

        r = Run(id, token, "--os-project-name", "projB", "--os-admin", "true");
        Assert.Equal((1, $"Backup {id} could not be found.\n"), (r.ExitCode, r.Stderr));
        Assert.Equal(before, Snapshot());

        r = Run(id, token);
        Assert.True(r.ExitCode == 0, r.ToString());
        AvailableAndWhole(id);
    }

    [Fact]
    public void AnOperationALiveWorkerRunsCannotBeTakenEvenWithItsToken()
    {
        File.WriteAllText(_home.ConfigPath, Fast + "backup_io_bandwidth_limit: 3MiB\n");
        var (id, token) = Prepared();
        var first = Background(WorkerCommand(id, token));
        Poll.Until(() => Owner(id) is int pid && pid != Environment.ProcessId, "the worker to claim the backup");
        var owner = Owner(id);
        Assert.Equal(first.Id, owner);

        foreach (var t in new[] { token, null })
        {
            var r = Run(id, t);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("was not handed to this process", r.Stderr);
            Assert.Equal(owner, Owner(id));
        }
        var done = End(first);
        Assert.True(done.ExitCode == 0, done.ToString());
        File.WriteAllText(_home.ConfigPath, Fast);
        AvailableAndWhole(id);
    }

    [Fact]
    public void OfTwoWorkersStartedWithOneTokenExactlyOneRunsTheBackup()
    {
        File.WriteAllText(_home.ConfigPath, Fast + "backup_io_bandwidth_limit: 8MiB\n");
        var (id, token) = Prepared();
        var workers = new[] { Background(WorkerCommand(id, token)), Background(WorkerCommand(id, token)) };
        var results = workers.Select(End).ToList();
        Assert.Single(results, r => r.ExitCode == 0);
        var loser = results.Single(r => r.ExitCode != 0);
        Assert.Equal(1, loser.ExitCode);
        Assert.Contains("was not handed to this process (the claim token is wrong, or already used)", loser.Stderr);
        File.WriteAllText(_home.ConfigPath, Fast);
        AvailableAndWhole(id);
    }
}
