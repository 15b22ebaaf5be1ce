using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;

namespace CinderBackup.Engine.Restore;

/// <summary>
/// The whole chain planned before any byte moves: walking from the requested backup back to the full one,
/// each object keeps only the ranges no newer layer already supplies. Every block is then written exactly
/// once, from the newest layer that holds it; objects entirely superseded are not even read (Cinder replays
/// every layer in full).
/// </summary>
internal sealed class RestorePlan
{
    public sealed record Task(ChainLayer Layer, ObjectEntry Object, IReadOnlyList<(long Start, long End)> Writes);

    public required IReadOnlyList<Task> Tasks { get; init; }

    public long VolumeBytes { get; init; }

    public long BytesToWrite { get; init; }

    public int SkippedObjects { get; init; }

    /// <param name="chain">The requested backup first, the full backup last.</param>
    public static RestorePlan Build(IReadOnlyList<ChainLayer> chain, long blockSize)
    {
        var volumeBytes = 0L;
        foreach (var layer in chain)
        {
            foreach (var o in layer.Metadata.Objects)
            {
                if (o.Offset % blockSize != 0)
                {
                    throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                        $"Backup {layer.BackupId}: object '{o.Name}' starts at offset {o.Offset}, which is not a multiple of the hash block size {blockSize}.", o.Name);
                }
                volumeBytes = Math.Max(volumeBytes, o.End);
            }
        }
        var covered = new IntervalSet();
        var tasks = new List<Task>();
        long toWrite = 0;
        var skipped = 0;
        foreach (var layer in chain)
        {
            foreach (var o in layer.Metadata.Objects)
            {
                if (o.Length % blockSize != 0 && o.End != volumeBytes)
                {
                    throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                        $"Backup {layer.BackupId}: object '{o.Name}' (offset {o.Offset}) has length {o.Length}, not a whole number of hash blocks.", o.Name);
                }
                var writes = covered.Uncovered(o.Offset, o.End);
                if (writes.Count == 0)
                {
                    skipped++;
                    continue;
                }
                tasks.Add(new Task(layer, o, writes));
                toWrite += writes.Sum(w => w.End - w.Start);
            }
            foreach (var o in layer.Metadata.Objects)
            {
                covered.Add(o.Offset, o.End);
            }
        }
        var gaps = covered.Uncovered(0, volumeBytes);
        if (gaps.Count > 0)
        {
            var full = chain[^1];
            throw new CinderBackupException(ErrorIds.BackupCorrupt, ErrorKind.InvalidData,
                $"Backup chain ending in {full.BackupId} does not cover bytes {gaps[0].Start}-{gaps[0].End} of the volume; its full backup is incomplete.", full.BackupId);
        }
        return new RestorePlan { Tasks = tasks, VolumeBytes = volumeBytes, BytesToWrite = toWrite, SkippedObjects = skipped };
    }
}
