using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// What <see cref="BackupCreator"/> reads of a create request. The facade's public options (Api's BackupCreateOptions)
/// implement it, so the operation gets the caller's own object (no field is copied, so none can be dropped) without
/// depending on the facades.
/// </summary>
internal interface IBackupCreateRequest
{
    string Volume { get; }

    string? Name { get; }

    string? Description { get; }

    bool Incremental { get; }

    bool Force { get; }

    string? Snapshot { get; }

    string? Container { get; }

    IReadOnlyDictionary<string, string>? Metadata { get; }

    string? Compression { get; }

    string? AvailabilityZone { get; }

    string? Repository { get; }

    IProgress<TransferProgress>? Progress { get; }

    CancellationToken Cancel { get; }
}
