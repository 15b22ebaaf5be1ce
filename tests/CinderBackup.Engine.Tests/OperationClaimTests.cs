using CinderBackup.Engine.Api;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// The catalog's one claim model (issue 16, item 4): an operation changes hands only through
/// <see cref="OperationClaims.Claim"/>, one conditional UPDATE, with the token its owner offered or from the exact owner
/// it is taken from, and only in the claimant's project. Of many claimants exactly one wins; a refusal changes nothing.
/// </summary>
// Trait PostgresCI: CI runs this class on PostgreSQL too (build.ps1; README "Tests").
[Trait("PostgresCI", "true")]
public sealed class OperationClaimTests : IDisposable
{
    private readonly TempHome _home = new();
    private readonly BackupEngine _engine;

    public OperationClaimTests()
    {
        _home.WriteConfig("backup_file_size: 4MiB\n");
        _engine = EngineFactory.Open(_home);
        var v = _engine.Volumes.Create("v", 1);
        Disk.WriteRandom(v.Path, 0, 4 << 20, 1);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _home.Dispose();
    }

    private (string Host, long? Pid, string? Token) Owner(string id) => _engine.Catalog.Read(db => db.QuerySingle(
        "SELECT owner_host, owner_pid, claim_token FROM backups WHERE id = $id",
        r => Tuple.Create(r.StrN("owner_host") ?? "", r.LongN("owner_pid"), r.StrN("claim_token")), ("$id", id)))!.ToValueTuple();

    [Fact]
    public void OfManyClaimantsWithTheTokenExactlyOneWins()
    {
        var id = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v" }).Id;
        var token = _engine.Backups.HandOff(id);
        const int claimants = 8;
        using var start = new Barrier(claimants);
        var wins = new bool[claimants];
        var threads = Enumerable.Range(0, claimants).Select(i => new Thread(() =>
        {
            using var catalog = CatalogOpener.Open(_engine.Config); // a connection of its own, on either engine
            start.SignalAndWait();
            wins[i] = catalog.Write(db => OperationClaims.Claim(db, new OperationClaim(id, "create") { ProjectId = "default", Token = token },
                new OperationOwner("worker-" + i, 1000 + i, DateTime.UtcNow)));
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Single(wins, true);
        var winner = Array.IndexOf(wins, true);
        Assert.Equal(("worker-" + winner, (long?)(1000 + winner), (string?)null), Owner(id));
    }

    [Fact]
    public void AClaimWithoutProofFromAnotherOwnerOrProjectOrWithASpentTokenChangesNothing()
    {
        var id = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v" }).Id;
        var token = _engine.Backups.HandOff(id);
        var before = Owner(id);
        var thief = new OperationOwner("elsewhere", 4242, DateTime.UtcNow);
        bool Try(OperationClaim c) => _engine.Catalog.Write(db => OperationClaims.Claim(db, c, thief));

        Assert.False(Try(new OperationClaim(id, "create") { ProjectId = "default" }));                       // no proof at all
        Assert.False(Try(new OperationClaim(id, "create") { ProjectId = "default", Token = token + "0" }));  // a wrong token
        Assert.False(Try(new OperationClaim(id, "create") { ProjectId = "other", Token = token }));          // another project
        Assert.False(Try(new OperationClaim(id, "restore") { ProjectId = "default", Token = token }));       // another operation
        Assert.False(Try(new OperationClaim(id, "create") { ByOwner = true, From = new OperationOwner("elsewhere", 1, DateTime.UtcNow) })); // not its owner
        Assert.Equal(before, Owner(id));

        Assert.True(Try(new OperationClaim(id, "create") { ProjectId = "default", Token = token }));
        Assert.Equal("elsewhere", Owner(id).Host);
        // Spent: the token is good once, and the operation's live owner cannot be displaced with it.
        var other = new OperationOwner("third", 7, DateTime.UtcNow);
        Assert.False(_engine.Catalog.Write(db => OperationClaims.Claim(db, new OperationClaim(id, "create") { ProjectId = "default", Token = token }, other)));
        Assert.Equal(("elsewhere", (long?)4242, (string?)null), Owner(id));
    }

    [Fact]
    public void TheEngineRefusesAWrongTokenAndAnotherProjectAndChangesNothing()
    {
        var id = _engine.Backups.StartCreate(new BackupCreateOptions { Volume = "v", Name = "b" }).Id;
        var token = _engine.Backups.HandOff(id);
        var before = StateSnapshot.Take(_home.CatalogPath, new[] { _home.Home }, "services");
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.RunCreate(id, claimToken: "not-the-token"));
        Assert.Equal(ErrorIds.ClaimRefused, e.ErrorId);
        Assert.Equal($"Backup {id}: its create operation was not handed to this process (the claim token is wrong, or already used), or another process runs it; nothing was changed.", e.Message);
        using (var other = EngineFactory.Open(_home, project: "other", admin: true))
        {
            e = Assert.Throws<CinderBackupException>(() => other.Backups.RunCreate(id, claimToken: token));
            Assert.Equal((ErrorIds.BackupNotFound, $"Backup {id} could not be found."), (e.ErrorId, e.Message));
            e = Assert.Throws<CinderBackupException>(() => other.Backups.HandOff(id));
            Assert.Equal(ErrorIds.ClaimRefused, e.ErrorId);
        }
        Assert.Equal(before, StateSnapshot.Take(_home.CatalogPath, new[] { _home.Home }, "services"));
        Assert.Equal("available", _engine.Backups.RunCreate(id, claimToken: token).Status);
    }
}
