namespace CinderBackup.Engine.Api;

/// <summary>What one <c>Set-VolumeBackup</c> / <c>volume backup set</c> changes; null leaves a field as it is.</summary>
public sealed record BackupChanges
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    /// <summary>Keys to add or overwrite; other keys stay.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>An admin's reset of the state: available or error.</summary>
    public string? State { get; init; }
}
