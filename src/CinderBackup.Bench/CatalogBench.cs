using System.Diagnostics;
using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Util;

namespace CinderBackup.Bench;

/// <summary>
/// The catalog's own numbers (issue 19, item 5), on any catalog engine: a catalog filled with
/// <see cref="CatalogBench.Backups"/> backup rows of one project, then backup rows created one write transaction each
/// (what a backup create writes first), single backups shown by id, and the whole project listed. The rows are
/// BackupTable's, written and read through the same named operations the engine uses.
/// </summary>
public static class CatalogBench
{
    public const int Backups = 10_000;

    /// <summary>One measured operation: how many, how long, how many per second.</summary>
    public sealed record Row(string Engine, string Operation, int Count, double Seconds)
    {
        public double PerSecond => Count / Seconds;

        public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Engine,-10} {Operation,-28} {Count,7} in {Seconds,7:F3} s = {PerSecond,9:F0}/s");
    }

    /// <summary>
    /// Runs the catalog cases on the catalog <paramref name="open"/> opens (empty), named <paramref name="engine"/>,
    /// with <paramref name="backups"/> backups in it.
    /// </summary>
    internal static IReadOnlyList<Row> Run(string engine, Func<ICatalog> open, int creates = 500, int shows = 2000, int lists = 5, int backups = Backups)
    {
        using var catalog = open();
        var project = "bench";
        var ids = new List<string>(backups);
        var fill = Stopwatch.StartNew();
        catalog.Write(db =>
        {
            for (var i = 0; i < backups; i++)
            {
                var row = NewRow(project, i);
                BackupTable.Insert(db, row);
                ids.Add(row.Id);
            }
        });
        var rows = new List<Row> { new(engine, $"fill {backups} (1 transaction)", backups, fill.Elapsed.TotalSeconds) };

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < creates; i++)
        {
            var row = NewRow(project, backups + i);
            catalog.Write(db => BackupTable.Insert(db, row));
        }
        rows.Add(new(engine, "create (1 transaction each)", creates, clock.Elapsed.TotalSeconds));

        var random = new Random(42);
        clock.Restart();
        for (var i = 0; i < shows; i++)
        {
            var id = ids[random.Next(ids.Count)];
            if (catalog.Read(db => BackupTable.Get(db, id)) is null)
            {
                throw new InvalidOperationException($"backup {id} not found");
            }
        }
        rows.Add(new(engine, "show by id", shows, clock.Elapsed.TotalSeconds));

        var best = double.MaxValue;
        for (var i = 0; i < lists; i++)
        {
            clock.Restart();
            var listed = catalog.Read(db => BackupTable.List(db, project));
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
            if (listed.Count != backups + creates)
            {
                throw new InvalidOperationException($"listed {listed.Count} backups, not {backups + creates}");
            }
        }
        rows.Add(new(engine, $"list {backups + creates} (best of {lists})", 1, best));
        return rows;
    }

    private static BackupRow NewRow(string project, int i)
    {
        var now = Clock.UtcNow;
        return new BackupRow
        {
            Id = Guid.NewGuid().ToString(),
            UserId = "bench",
            ProjectId = project,
            VolumeId = "00000000-0000-0000-0000-" + (i % 100).ToString("D12", System.Globalization.CultureInfo.InvariantCulture),
            Status = "available",
            Size = 1,
            DisplayName = "backup-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Container = "bench",
            ServiceMetadata = "prefix-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Service = "cinder.backup.drivers.posix.PosixBackupDriver",
            ObjectCount = 4,
            CreatedAt = now,
            DataTimestamp = now,
        };
    }
}
