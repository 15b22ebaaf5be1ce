namespace CinderBackup.Engine.ObjectStores.S3;

/// <summary>An S3 request that failed for good: the last failure, and how many attempts were made.</summary>
internal sealed class S3RequestFailedException : Exception
{
    public S3RequestFailedException(Exception last, int attempts, bool transient)
        : base(last.Message, last)
    {
        Attempts = attempts;
        Transient = transient;
    }

    public int Attempts { get; }

    /// <summary>True when the last failure was transient (the attempts ran out).</summary>
    public bool Transient { get; }

    public Exception Last => InnerException!;
}
