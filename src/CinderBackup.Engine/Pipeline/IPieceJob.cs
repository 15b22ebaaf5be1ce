namespace CinderBackup.Engine.Pipeline;

/// <summary>What a job produced in one round: bytes of the object's data, whether all zero, whether the last.</summary>
internal readonly record struct Piece(int Length, bool Zero, bool Last);

/// <summary>
/// One object streamed through <see cref="PieceRunner"/> piece by piece: the job reads, hashes, compresses or
/// checks and writes its data; the runner computes the object's MD5, several objects at a time.
/// </summary>
internal interface IPieceJob : IDisposable
{
    /// <summary>Puts the object's next piece into <paramref name="buffer"/> (runs on a worker thread).</summary>
    Piece Next(Span<byte> buffer, CancellationToken cancel);

    /// <summary>The object is done and its MD5 known (runs on the runner's calling thread).</summary>
    void Complete(string md5Hex);
}
