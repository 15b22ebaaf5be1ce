namespace CinderBackup.Engine.Pipeline;

/// <summary>Progress of a backup, restore or verify: bytes of the volume done out of the total.</summary>
public readonly record struct TransferProgress(long BytesDone, long BytesTotal, int Objects, long BytesStored)
{
    public double Percent => BytesTotal == 0 ? 100 : Math.Min(100, 100.0 * BytesDone / BytesTotal);
}
