namespace CinderBackup;

/// <summary>The outcome of checking a backup without restoring it.</summary>
public sealed class BackupVerifyResult
{
    public string BackupId { get; init; } = "";

    public string? Name { get; init; }

    /// <summary>quick (documents, listing, coverage) or deep (also every object's bytes).</summary>
    public string Mode { get; init; } = "quick";

    public bool IsValid { get; init; }

    /// <summary>The first problem found, naming the object and offset; null when valid.</summary>
    public string? Problem { get; init; }

    /// <summary>The stable error id of the problem (about_CinderBackup, ERROR IDS); null when valid.</summary>
    public string? ErrorId { get; init; }

    /// <summary>The object at fault, when the problem is in one.</summary>
    public string? FailedObject { get; init; }

    /// <summary>Backups in the chain (the backup and its parents).</summary>
    public int ChainLength { get; init; }

    public int ObjectsChecked { get; init; }

    public long BytesChecked { get; init; }

    public override string ToString() => IsValid ? $"{BackupId}: valid ({Mode})" : $"{BackupId}: {Problem}";
}
