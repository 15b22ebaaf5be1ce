using CinderBackup.Engine.Api;
using CinderBackup.Engine.Completion;

namespace CinderBackup.Engine.Tests;

/// <summary>Tab completion from the catalog: names and ids, wildcards, ambiguity, projects, and never a failure.</summary>
public sealed class CompletionTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private IReadOnlyList<string> Complete(CompletionKind kind, string word, bool namesOnly = false, bool idsOnly = false, string? project = null) =>
        CompletionSource.Candidates(EngineFactory.Options(_home, project), kind, word, namesOnly, idsOnly).Select(c => c.Text).ToList();

    [Fact]
    public void CompletesNamesByPrefixAndWildcardCaseInsensitively()
    {
        using (var engine = EngineFactory.Open(_home))
        {
            engine.Volumes.Create("web-data", 1);
            engine.Volumes.Create("web logs", 1);
            engine.Volumes.Create("zdb", 1); // z: no id (hex) starts with it
        }
        Assert.Equal(new[] { "web logs", "web-data" }, Complete(CompletionKind.Volume, "WEB"));
        Assert.Equal(new[] { "web-data" }, Complete(CompletionKind.Volume, "*-d?ta"));
        Assert.Equal(new[] { "zdb" }, Complete(CompletionKind.Volume, "'z"));
        Assert.Equal(new[] { "web logs", "web-data", "zdb" }, Complete(CompletionKind.Volume, ""));
        Assert.Equal(new[] { "web logs", "web-data" }, Complete(CompletionKind.Volume, "[w]eb*"));
    }

    [Fact]
    public void SharedNamesCompleteToIdsAndIdsCompleteToo()
    {
        BlockVolume a, b, c;
        using (var engine = EngineFactory.Open(_home))
        {
            a = engine.Volumes.Create("twin", 1);
            b = engine.Volumes.Create("twin", 1);
            c = engine.Volumes.Create(null, 1);
        }
        Assert.Equal(new[] { a.Id, b.Id }.Order(), Complete(CompletionKind.Volume, "tw").Order());
        Assert.Equal(new[] { c.Id }, Complete(CompletionKind.Volume, c.Id[..8]));
        Assert.Equal(new[] { "twin" }, Complete(CompletionKind.Volume, "t", namesOnly: true));
        Assert.Equal(new[] { a.Id }, Complete(CompletionKind.Volume, a.Id[..6], idsOnly: true));
        Assert.Empty(Complete(CompletionKind.Volume, "twin", idsOnly: true));
    }

    [Fact]
    public void CompletesSnapshotsAndBackupsOfTheCallersProjectOnly()
    {
        using (var engine = EngineFactory.Open(_home))
        {
            engine.Volumes.Create("v", 1);
            engine.Snapshots.Create("v", "snap-1");
            engine.Backups.Create(new BackupCreateOptions { Volume = "v", Name = "nightly" });
        }
        using (var other = EngineFactory.Open(_home, "other", "someone", admin: false))
        {
            other.Volumes.Create("theirs", 1);
        }
        Assert.Equal(new[] { "snap-1" }, Complete(CompletionKind.Snapshot, "s"));
        Assert.Equal(new[] { "nightly" }, Complete(CompletionKind.Backup, "n"));
        Assert.Empty(Complete(CompletionKind.Volume, "the"));
        Assert.Equal(new[] { "theirs" }, Complete(CompletionKind.Volume, "the", project: "other"));
    }

    [Fact]
    public void NeverFailsAndNeverCreatesACatalog()
    {
        Assert.Empty(Complete(CompletionKind.Volume, "x"));
        Assert.False(File.Exists(_home.CatalogPath));
        _home.WriteConfig("not_a_key: 1\n");
        Assert.Empty(Complete(CompletionKind.Backup, "x"));
        Directory.CreateDirectory(_home.Home);
        File.WriteAllText(_home.CatalogPath, "garbage that is not SQLite at all, long enough to be read as a header......");
        _home.WriteConfig("");
        Assert.Empty(Complete(CompletionKind.Snapshot, "x"));
        Assert.Empty(Complete(CompletionKind.Volume, "[unclosed"));
    }
}
