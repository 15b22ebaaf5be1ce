using System.Globalization;
using static CinderBackup.Bench.BenchRunner;

namespace CinderBackup.Bench;

/// <summary>The targets of issue 8, checked against a report's medians (a target whose rows did not run is left out).</summary>
internal static class BenchTargets
{
    private const long PeakLimit = 256L << 20;

    public static IEnumerable<BenchTarget> Evaluate(BenchReport report)
    {
        // Speed and ratio targets are set for the default volume sizes; peak memory applies at any size.
        var defaults = new BenchOptions();
        var fullSize = report.Options.MixedBytes >= defaults.MixedBytes && report.Options.SparseBytes >= defaults.SparseBytes
            && report.Options.SparseDataBytes >= defaults.SparseDataBytes;
        return Measure(report).Select(t => fullSize || t.Name.StartsWith("peak memory", StringComparison.Ordinal)
            ? t
            : new BenchTarget { Name = t.Name, Requirement = t.Requirement, Measured = t.Measured, Detail = t.Detail, Met = t.Met, Applies = false });
    }

    private static IEnumerable<BenchTarget> Measure(BenchReport report)
    {
        BenchResult? Ours(string c) => report.Results.FirstOrDefault(r => r.Case == c && r.Tool == BenchResult.CinderBackupTool);
        BenchResult? Baseline(string tool, string volume) =>
            report.Results.FirstOrDefault(r => r.Case == BenchSession.BaselineCase && r.Tool == tool && r.Volume == volume);

        if (Ours(FullZstd) is { } zstd)
        {
            yield return Target("full backup, zstd, mixed volume: speed", "≥ 350 MB/s", zstd.MegabytesPerSecond, zstd.MegabytesPerSecond >= 350,
                F($"{zstd.MegabytesPerSecond:F0} MB/s ({zstd.Seconds:F2} s for {zstd.VolumeBytes / 1e6:F0} MB)"));
            if (zstd.VsCinder is double v)
            {
                yield return Target("full backup, zstd, mixed volume: vs Cinder with zstd", "≥ 2×", v, v >= 2, F($"{v:F2}× Cinder's speed"));
            }
        }
        if (Ours(FullZlib) is { VsCinder: double zlib })
        {
            yield return Target("full backup, zlib, mixed volume: vs Cinder with zlib", "≥ 5×", zlib, zlib >= 5, F($"{zlib:F2}× Cinder's speed"));
        }
        if (Ours(IncrementalChanged) is { } inc)
        {
            yield return Target("incremental, 1 % changed: volume scanned", "≥ 1 GB/s", inc.MegabytesPerSecond / 1000, inc.MegabytesPerSecond >= 1000,
                F($"{inc.MegabytesPerSecond:F0} MB/s"));
            if (inc.VsCinder is double v)
            {
                yield return Target("incremental, 1 % changed: vs Cinder", "≥ 3×", v, v >= 3, F($"{v:F2}× Cinder's speed"));
            }
        }
        // The sparse target is about holes: with no compression, the backup must cost at most twice reading and
        // hashing the data alone. With zstd the data's compression is added (compared with zstd -1 -T2 on it).
        if (Ours(FullSparseNone) is { } sparse && Baseline(BenchSession.ReadHashTool, BenchSession.SparseDataVolume) is { } readHash)
        {
            var ratio = sparse.Seconds / readHash.Seconds;
            yield return Target("sparse volume, no compression: full backup time vs reading and hashing its data", "≤ 2×", ratio, ratio <= 2,
                F($"{sparse.Seconds:F2} s vs {readHash.Seconds:F2} s for {BenchSession.ReadHashTool} of its {readHash.VolumeBytes / 1e6:F0} MB of data"));
        }
        if (Ours(FullSparse) is { } zsparse && Baseline(BenchSession.ReadHashTool, BenchSession.SparseDataVolume) is { } readHash2)
        {
            var ratio = zsparse.Seconds / readHash2.Seconds;
            var zstdTime = Baseline(BenchSession.ZstdTool, BenchSession.SparseDataVolume)?.Seconds;
            yield return Target("sparse volume, zstd: full backup time vs reading and hashing its data", "≤ 2×", ratio, ratio <= 2,
                F($"{zsparse.Seconds:F2} s vs {readHash2.Seconds:F2} s for {BenchSession.ReadHashTool}") +
                (zstdTime is double z ? F($"; {BenchSession.ZstdTool} alone takes {z:F2} s on the same data") : ""));
        }
        if (Ours(RestoreChain) is { } chain)
        {
            if (Ours(RestoreFull) is { } full)
            {
                var ratio = chain.Seconds / full.Seconds;
                yield return Target("restore of full + 5 incrementals vs restore of the full alone", "≤ 1.3×", ratio, ratio <= 1.3,
                    F($"{chain.Seconds:F2} s vs {full.Seconds:F2} s"));
            }
            if (chain.VsCinder is double v)
            {
                yield return Target("restore of full + 5 incrementals: vs Cinder on the same chain", "≥ 3×", v, v >= 3, F($"{v:F2}× Cinder's speed"));
            }
        }
        var ours = report.Results.Where(r => r.Tool == BenchResult.CinderBackupTool && r.PeakBytes is not null).ToList();
        if (ours.Count > 0)
        {
            var worst = ours.OrderByDescending(r => r.PeakBytes).First();
            yield return Target("peak memory, every case", "≤ 256 MiB", worst.PeakBytes!.Value / 1048576.0, worst.PeakBytes <= PeakLimit,
                F($"highest: {worst.PeakBytes / 1048576.0:F0} MiB in {worst.Case}"));
        }
    }

    private static BenchTarget Target(string name, string requirement, double measured, bool met, string detail) =>
        new() { Name = name, Requirement = requirement, Measured = measured, Met = met, Detail = detail };

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
