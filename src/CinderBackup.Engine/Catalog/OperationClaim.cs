namespace CinderBackup.Engine.Catalog;

/// <summary>
/// A request to take over a backup's running <see cref="Operation"/> (create, restore, delete). It names what proves the
/// right to it: the <see cref="Token"/> the current owner offered, or, without one, the exact owner <see cref="From"/>
/// from whom it is taken (a gone owner, for recovery; the claimant itself, for a process running what it prepared).
/// </summary>
internal sealed record OperationClaim(string BackupId, string Operation)
{
    /// <summary>The claimant's project: the operation must be of it. Null only for recovery, which serves every project.</summary>
    public string? ProjectId { get; init; }

    /// <summary>The token handed to the claimant (clear text; the catalog holds its SHA-256).</summary>
    public string? Token { get; init; }

    /// <summary>Without a token: the owner the operation must still have (host and pid); null for an operation with no owner recorded.</summary>
    public OperationOwner? From { get; init; }

    /// <summary>Without a token: true when the claim is made from <see cref="From"/> (which may be null: no owner).</summary>
    public bool ByOwner { get; init; }
}
