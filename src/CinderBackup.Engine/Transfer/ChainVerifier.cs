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
        IProgress<TransferProgress>? progress, CancellationToken cancel)
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
        foreach (var layer in chain)
        {
            using var hashes = HashFile.Create(tempDirectory);
            ChainLoader.ReadHashes(layer, hashes);
            var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers), CancellationToken = cancel };
            try
            {
                Parallel.ForEach(layer.Metadata.Objects, options, o =>
                {
                    ObjectCheck.Run(layer, o, new[] { (o.Offset, o.End) }, hashes, chunk, sink: null, throttle: null, n =>
                    {
                        var d = Interlocked.Add(ref done, n);
                        progress?.Report(new TransferProgress(d, total, Volatile.Read(ref checkedObjects), 0));
                    }, cancel);
                    Interlocked.Increment(ref checkedObjects);
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                var first = e.InnerExceptions.FirstOrDefault(x => x is CinderBackupException) ?? e.InnerExceptions[0];
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }
        }
        return new Outcome(chain.Count, objects, done, plan.VolumeBytes);
    }
}
