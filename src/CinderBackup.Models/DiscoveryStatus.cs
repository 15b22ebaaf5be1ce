namespace CinderBackup;

/// <summary>What discovery made of a backup's objects in a repository.</summary>
public enum DiscoveryStatus
{
    /// <summary>Its <c>_metadata</c> document is readable and every object it names is there: importable.</summary>
    Complete,

    /// <summary>Objects without a <c>_metadata</c> document: the backup never finished (or its deletion did not).</summary>
    Incomplete,

    /// <summary>The <c>_metadata</c> document names objects that are missing, or objects are there that it does not name.</summary>
    Damaged,

    /// <summary>The <c>_metadata</c> document cannot be read (truncated, not JSON, wrong backup).</summary>
    Unreadable,
}
