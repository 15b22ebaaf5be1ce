using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Transfer;

/// <summary>
/// Checks a backup without restoring it. Quick: every layer's documents, listing, hash block size, object
/// presence and coverage of the volume. Deep: also reads every object of every layer, checking its length,
/// MD5, and each block's SHA-256 against that layer's own sha256 list. The first problem is thrown, naming
/// the object and offset.
/// </summary>
internal static class ChainVerifier
{
    public sealed record Outcome(int Backups, int Objects, long BytesChecked, long VolumeBytes);

    public static Outcome Run(IReadOnlyList<ChainLayer> chain, bool deep, string tempDirectory, int workers,
        IProgress<TransferProgress>? progress, CancellationToken cancel, int objectsInFlight = 16)
    {
        var requested = chain[0];
        var chunk = ChainLoader.ReadChunkSize(requested);
        ChainLoader.CheckChunkSizes(chain, chunk);
        var plan = RestorePlan.Build(chain, chunk);
        var objects = chain.Sum(l => l.Metadata.Objects.Count);
        if (!deep)
        {
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

        var total = chain.Sum(l => l.Metadata.Objects.Sum(o => o.Length));
        long done = 0;
        var checkedObjects = 0;
        // Every layer's objects go through one runner, each checked against its own layer's sha256 list.
        var lists = new List<HashFile>();
        try
        {
            var jobs = new List<(ChainLayer Layer, ObjectEntry Object, HashFile Hashes)>();
            foreach (var layer in chain)
            {
                var hashes = HashFile.Create(tempDirectory);
                lists.Add(hashes);
                ChainLoader.ReadHashes(layer, hashes);
                jobs.AddRange(layer.Metadata.Objects.Select(o => (layer, o, hashes)));
            }
            var next = jobs.GetEnumerator();
            var piece = PieceRunner.Piece(chunk);
            new PieceRunner(objectsInFlight, workers, piece).Run(
                () => next.MoveNext()
                    ? new ObjectCheck(next.Current.Layer, next.Current.Object, new[] { (next.Current.Object.Offset, next.Current.Object.End) },
                        next.Current.Hashes, chunk, piece, sink: null, throttle: null, n =>
                        {
                            var d = Interlocked.Add(ref done, n);
                            progress?.Report(new TransferProgress(d, total, Volatile.Read(ref checkedObjects), 0));
                        })
                    { Checked = () => checkedObjects++ }
                    : null,
                () => { },
                cancel);
        }
        finally
        {
            lists.ForEach(h => h.Dispose());
        }
        return new Outcome(chain.Count, objects, done, plan.VolumeBytes);
    }
}
