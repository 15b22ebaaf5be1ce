using CinderBackup.Engine.Api;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Rules;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Retention (issue 20, item 6): restic's keep rules per volume, chains never broken, removal newest first, dry run,
/// and a daily backup-then-prune runbook over 60 simulated days under the default backup quota of 10.
/// </summary>
// Trait PostgresCI: CI runs this class on PostgreSQL too (build.ps1; README "Tests").
[Trait("PostgresCI", "true")]
public sealed class RetentionTests : IDisposable
{
    private static readonly DateTime Day0 = new(2026, 1, 1, 2, 0, 0, DateTimeKind.Utc); // a Thursday

    private readonly TempHome _home = new();
    private BackupEngine _engine;
    private DateTime _now = Day0;

    public RetentionTests()
    {
        _home.WriteConfig("backup_file_size: 128MiB\n");
        _engine = EngineFactory.Open(_home);
    }

    public void Dispose()
    {
        Clock.Override = null;
        _engine.Dispose();
        _home.Dispose();
    }

    private static BackupRow Row(string id, int day, string? parent = null, string status = "available", string volume = "v1", int hour = 2) => new()
    {
        Id = id, VolumeId = volume, ParentId = parent, Status = status, CreatedAt = Day0.AddDays(day).AddHours(hour - 2),
    };

    private static Dictionary<string, RetentionPlanner.Plan> Decide(RetentionPolicy policy, params BackupRow[] rows) =>
        RetentionPlanner.Decide(rows, policy).ToDictionary(p => p.Row.Id);

    [Fact]
    public void KeepLastKeepsTheNewestAndTheirParents()
    {
        var plan = Decide(new RetentionPolicy { Last = 2 },
            Row("full", 0), Row("inc1", 1, "full"), Row("inc2", 2, "inc1"), Row("inc3", 3, "inc2"), Row("old", -5));
        Assert.Equal(new[] { "last 1" }, plan["inc3"].Reasons);
        Assert.Equal(new[] { "last 2", "parent of inc3" }, plan["inc2"].Reasons);
        Assert.Equal(new[] { "parent of inc2" }, plan["inc1"].Reasons);
        Assert.Equal(new[] { "parent of inc1" }, plan["full"].Reasons);
        Assert.False(plan["old"].Keep);
    }

    [Fact]
    public void TheChainIsFollowedByParentIdWhateverTheTimesSay()
    {
        // A backup being restored keeps its chain; its parent was recorded with a later time than it (a clock set back,
        // an imported record), so the parent comes before it newest-first, and the grandparent after both.
        var plan = Decide(new RetentionPolicy { Last = 1 },
            Row("new", 10), Row("inc2", 1, "inc1", status: "restoring"), Row("inc1", 2, "full"), Row("full", 0), Row("other", -1));
        Assert.Equal(new[] { "parent of inc2" }, plan["inc1"].Reasons);
        Assert.True(plan["full"].Keep, "the full backup of the kept chain");
        Assert.Equal(new[] { "parent of inc1" }, plan["full"].Reasons);
        Assert.False(plan["other"].Keep);
        // A cycle in broken records ends the walk.
        var cycle = Decide(new RetentionPolicy { Last = 1 }, Row("x", 2, "y"), Row("y", 1, "x"));
        Assert.True(cycle["y"].Keep);
    }

    [Fact]
    public void DailyWeeklyMonthlyKeepTheNewestOfEachPeriod()
    {
        // Two backups on day 0, one on each of days 1..40; daily 2, weekly 2 (ISO weeks), monthly 2.
        var rows = new List<BackupRow> { Row("d0early", 0, hour: 1), Row("d0late", 0, hour: 3) };
        rows.AddRange(Enumerable.Range(1, 40).Select(d => Row($"d{d}", d)));
        var plan = Decide(new RetentionPolicy { Daily = 2, Weekly = 2, Monthly = 2 }, rows.ToArray());
        var kept = plan.Values.Where(p => p.Keep).Select(p => p.Row.Id).OrderBy(x => x).ToList();
        // d40 = 2026-02-10 (Tue, W07), d39 = Mon W07; weekly: d40 (W07), d38 = Sun 2026-02-08 (W06);
        // monthly: d40 (2026-02), d30 = 2026-01-31 (2026-01).
        Assert.Equal(new[] { "d30", "d38", "d39", "d40" }, kept);
        Assert.Equal(new[] { "daily 2026-02-10", "weekly 2026-W07", "monthly 2026-02" }, plan["d40"].Reasons);
        Assert.Equal(new[] { "weekly 2026-W06" }, plan["d38"].Reasons);
        Assert.Equal(new[] { "monthly 2026-01" }, plan["d30"].Reasons);
        Assert.False(plan["d0late"].Keep);

        // Of two backups in one day, the newer one represents the day.
        var sameDay = Decide(new RetentionPolicy { Daily = 1 }, Row("d0early", 0, hour: 1), Row("d0late", 0, hour: 3));
        Assert.True(sameDay["d0late"].Keep);
        Assert.False(sameDay["d0early"].Keep);
    }

    [Fact]
    public void VolumesAreCountedApartAndBusyBackupsStayWithTheirParents()
    {
        var plan = Decide(new RetentionPolicy { Last = 1 },
            Row("a1", 0, volume: "a"), Row("a2", 1, volume: "a"), Row("b1", 0, volume: "b"),
            Row("full", -3), Row("creating", 2, "full", status: "creating"), Row("err", -4, status: "error"), Row("new", 3));
        Assert.True(plan["a2"].Keep);
        Assert.False(plan["a1"].Keep);
        Assert.True(plan["b1"].Keep);
        Assert.True(plan["new"].Keep);
        Assert.Equal(new[] { "status creating: only available backups are removed" }, plan["creating"].Reasons);
        Assert.Equal(new[] { "parent of creating" }, plan["full"].Reasons);
        Assert.True(plan["err"].Keep);
    }

    [Theory]
    [InlineData(0, null, "keep-last must be at least 1")]
    [InlineData(null, -1, "keep-daily must be at least 1")]
    [InlineData(null, null, "give at least one of keep-last")]
    public void BadPoliciesAreRefusedAndChangeNothing(int? last, int? daily, string message)
    {
        SimulateClock();
        var v = _engine.Volumes.Create("v", 1);
        Disk.WriteRandom(v.Path, 0, 1 << 20, seed: 1);
        Backup("v", false);
        _now = _now.AddDays(1);
        Backup("v", false);
        var e = Assert.Throws<CinderBackupException>(() => _engine.Backups.Prune(new RetentionPolicy { Last = last, Daily = daily }));
        Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
        Assert.Contains(message, e.Message);
        Assert.Equal(2, _engine.Backups.List().Count);
        Assert.Throws<CinderBackupException>(() => _engine.Backups.Prune(new RetentionPolicy { Last = 1 }, volume: "nosuch"));
        Assert.Equal(2, _engine.Backups.List().Count);
    }

    [Fact]
    public void PruneRemovesNewestFirstAndDryRunRemovesNothing()
    {
        SimulateClock();
        var v = _engine.Volumes.Create("v", 1);
        var ids = new List<string>();
        for (var day = 0; day < 6; day++)
        {
            Disk.WriteRandom(v.Path, day << 20, 1 << 20, seed: day);
            ids.Add(Backup("v", incremental: day is not (0 or 3)).Id);
            _now = _now.AddDays(1);
        }
        // full0 inc1 inc2 | full3 inc4 inc5: keep-last 1 keeps inc5, inc4, full3.
        var dry = _engine.Backups.Prune(new RetentionPolicy { Last = 1 }, dryRun: true);
        Assert.Equal(6, _engine.Backups.List().Count);
        Assert.Equal(new[] { "keep", "keep", "keep", "remove", "remove", "remove" }, dry.Select(d => d.Action));
        Assert.Equal(ids.AsEnumerable().Reverse(), dry.Select(d => d.BackupId));

        // Declining the newest removal (inc2) keeps its parents too.
        var asked = new List<string>();
        var declined = _engine.Backups.Prune(new RetentionPolicy { Last = 1 }, confirm: d => { asked.Add(d.BackupId); return false; });
        Assert.Equal(new[] { ids[2] }, asked);
        Assert.Equal($"parent of {ids[2]}, which stays", declined.Single(d => d.BackupId == ids[1]).Reason);
        Assert.Equal(6, _engine.Backups.List().Count);

        var done = _engine.Backups.Prune(new RetentionPolicy { Last = 1 });
        Assert.Equal(new[] { "removed", "removed", "removed" }, done.Skip(3).Select(d => d.Action));
        Assert.Equal(new[] { ids[5], ids[4], ids[3] }, _engine.Backups.List().Select(b => b.Id));
        var events = File.ReadAllLines(Path.Combine(_home.Home, "cinder-backup.log"))
            .Where(l => l.Contains("backup.delete.start", StringComparison.Ordinal)).ToList();
        // Removal newest first: inc2, inc1, full0.
        Assert.Equal(new[] { ids[2], ids[1], ids[0] },
            events.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("backup_id").GetString()));
    }

    /// <summary>The engine's time becomes <see cref="_now"/> (set here, in the test's own flow: the hook is per async flow).</summary>
    private void SimulateClock() => Clock.Override = () => _now;

    private VolumeBackup Backup(string volume, bool incremental) =>
        _engine.Backups.Create(new BackupCreateOptions { Volume = volume, Incremental = incremental });

    /// <summary>
    /// A runbook that backs up every day and prunes after: 60 simulated days under the default quota of 10, for daily
    /// fulls (keep-daily 6, keep-weekly 4: at most 9 kept, so the next day's backup is the 10th) and for a weekly full
    /// with daily incrementals (keep-daily 3: parents back to the full are kept too). Every kept chain restores whole:
    /// each kept incremental's parent is there. keep-daily 7 with keep-weekly 4 keeps 10, and the quota stops day 25's
    /// backup: the count includes what the weekly rule keeps.
    /// </summary>
    [Theory]
    [InlineData(0, 6, 4, -1)]
    [InlineData(7, 3, null, -1)]
    [InlineData(0, 7, 4, 25)]
    public void DailyBackupThenPruneRunsSixtyDaysUnderTheDefaultQuota(int fullEvery, int daily, int? weekly, int failsOnDay)
    {
        SimulateClock();
        var v = _engine.Volumes.Create("v", 1);
        var policy = new RetentionPolicy { Daily = daily, Weekly = weekly };
        for (var day = 0; day < 60; day++)
        {
            _now = Day0.AddDays(day);
            Disk.WriteRandom(v.Path, (day % 64) << 20, 1 << 20, seed: day);
            var incremental = fullEvery > 0 && day % fullEvery != 0;
            if (day == failsOnDay)
            {
                var e = Assert.Throws<CinderBackupException>(() => Backup("v", incremental));
                Assert.Equal(ErrorIds.BackupLimitExceeded, e.ErrorId);
                Assert.Equal("Maximum number of backups allowed (10) exceeded", e.Message);
                return;
            }
            Backup("v", incremental);
            var decisions = _engine.Backups.Prune(policy);
            Assert.DoesNotContain(decisions, d => d.Action == "failed");
            var left = _engine.Backups.List();
            Assert.True(failsOnDay >= 0 || left.Count <= 9, $"day {day}: {left.Count} kept");
            Assert.All(left.Where(b => b.ParentId is not null), b => Assert.Contains(left, p => p.Id == b.ParentId));
            Assert.Equal("available", left[0].Status);
            Assert.Equal(_now, left[0].CreatedAtUtc);
        }
        Assert.Equal(-1, failsOnDay);
    }
}
