using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Restore;

/// <summary>
/// Checks a backup without restoring it. Quick: every layer's documents, listing, hash block size, object
/// presence and coverage of the volume. Deep: what a restore checks (<see cref="ChainPlan"/>: every block a restore
/// would write, from whichever layer, against the requested backup's own sha256 list, and every object's length and
/// MD5), and beyond it every layer's own sha256 list read whole and every block of every object checked against its
/// own layer's list too (each block is hashed once), so damage to a parent a restore would not notice still shows.
/// The first problem is thrown, naming the object and offset.
/// </summary>
internal static class ChainVerifier
{
    public sealed record Outcome(int Backups, int Objects, long BytesChecked, long VolumeBytes);

    public static Outcome Run(IReadOnlyList<ChainLayer> chain, bool deep, string tempDirectory, int workers,
        IProgress<TransferProgress>? progress, CancellationToken cancel, int objectsInFlight = 16)
    {
        var objects = chain.Sum(l => l.Metadata.Objects.Count);
        if (!deep)
        {
            var chunk = ChainLoader.ReadChunkSize(chain[0]);
            ChainLoader.CheckChunkSizes(chain, chunk);
            var plan = RestorePlan.Build(chain, chunk);
            foreach (var layer in chain)
            {
                foreach (var o in layer.Metadata.Objects)
                {
                    cancel.ThrowIfCancellationRequested();
                    var size = layer.Objects.Size(layer.Container, o.Name);
                    if (size is null)
                    {
                        throw ObjectCheck.Corrupt(layer, o, o.Offset, "it is missing from the repository");
                    }
                    if (o.Compression.Equals("none", StringComparison.OrdinalIgnoreCase) && size != o.Length)
                    {
                        throw ObjectCheck.Corrupt(layer, o, o.Offset + Math.Min(size.Value, o.Length),
                            $"it is stored uncompressed but holds {size} bytes, not {o.Length}");
                    }
                }
            }
            return new Outcome(chain.Count, objects, 0, plan.VolumeBytes);
        }

        using var checks = ChainPlan.Load(chain, tempDirectory);
        var total = chain.Sum(l => l.Metadata.Objects.Sum(o => o.Length));
        long done = 0;
        var checkedObjects = 0;
        void Progress(long n)
        {
            var d = Interlocked.Add(ref done, n);
            progress?.Report(new TransferProgress(d, total, Volatile.Read(ref checkedObjects), 0));
        }
        void Checked() => Interlocked.Increment(ref checkedObjects);
        var piece = PieceRunner.Piece(checks.Chunk);
        var lists = new Dictionary<ChainLayer, HashFile>(); // the parents' own lists (the requested backup's is checks.Expected)
        try
        {
            foreach (var layer in chain.Skip(1))
            {
                var hashes = HashFile.Create(tempDirectory);
                lists[layer] = hashes;
                ChainLoader.ReadHashes(layer, hashes);
            }
            HashFile? Own(ChainLayer layer) => lists.GetValueOrDefault(layer);
            new PieceRunner(objectsInFlight, workers, piece).Run(checks.Jobs(piece, sink: null, throttle: null, Progress, Checked, Own), () => { }, cancel);

            // Objects no restore of this backup reads: still part of the chain, checked against their own backup's list.
            var planned = checks.Plan.Tasks.Select(t => (t.Layer.BackupId, t.Object.Name)).ToHashSet();
            var skipped = chain.SelectMany(layer => layer.Metadata.Objects.Where(o => !planned.Contains((layer.BackupId, o.Name)))
                .Select(o => new ObjectCheck(layer, o, new[] { (o.Offset, o.End) }, Own(layer) ?? checks.Expected, checks.Chunk, piece, sink: null, throttle: null, Progress)
                {
                    Checked = Checked,
                })).GetEnumerator();
            new PieceRunner(objectsInFlight, workers, piece).Run(() => skipped.MoveNext() ? skipped.Current : null, () => { }, cancel);
        }
        finally
        {
            foreach (var h in lists.Values)
            {
                h.Dispose();
            }
        }
        return new Outcome(chain.Count, objects, done, checks.Plan.VolumeBytes);
    }
}
