using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Transfer;

/// <summary>
/// Checks a backup without restoring it. Quick: every layer's documents, listing, hash block size, object
/// presence and coverage of the volume. Deep: what a restore checks (<see cref="ChainPlan"/>: every block a restore
/// would write, from whichever layer, against the requested backup's own sha256 list, and every object's length and
/// MD5), plus the objects a restore would skip (superseded by newer layers) against their own layer's list. The first
/// problem is thrown, naming the object and offset.
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
                    var size = layer.Store.Size(layer.Container, o.Name);
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
        new PieceRunner(objectsInFlight, workers, piece).Run(checks.Jobs(piece, sink: null, throttle: null, Progress, Checked), () => { }, cancel);

        // Objects no restore of this backup reads: still part of the chain, checked against their own backup's list.
        var planned = checks.Plan.Tasks.Select(t => (t.Layer.BackupId, t.Object.Name)).ToHashSet();
        var lists = new List<HashFile>();
        try
        {
            var jobs = new List<ObjectCheck>();
            foreach (var layer in chain)
            {
                var skipped = layer.Metadata.Objects.Where(o => !planned.Contains((layer.BackupId, o.Name))).ToList();
                if (skipped.Count == 0)
                {
                    continue;
                }
                var hashes = HashFile.Create(tempDirectory);
                lists.Add(hashes);
                ChainLoader.ReadHashes(layer, hashes);
                jobs.AddRange(skipped.Select(o => new ObjectCheck(layer, o, new[] { (o.Offset, o.End) }, hashes, checks.Chunk, piece, sink: null, throttle: null, Progress)
                {
                    Checked = Checked,
                }));
            }
            var next = jobs.GetEnumerator();
            new PieceRunner(objectsInFlight, workers, piece).Run(() => next.MoveNext() ? next.Current : null, () => { }, cancel);
        }
        finally
        {
            lists.ForEach(h => h.Dispose());
        }
        return new Outcome(chain.Count, objects, done, checks.Plan.VolumeBytes);
    }
}
