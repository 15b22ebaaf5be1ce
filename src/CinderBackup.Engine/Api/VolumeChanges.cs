namespace CinderBackup.Engine.Api;

/// <summary>What one <c>Set-BlockVolume</c> / <c>volume set</c> changes; null leaves a field as it is.</summary>
public sealed record VolumeChanges
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    /// <summary>Keys to add or overwrite; other keys stay.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Extend to this size in GiB (file-pool volumes only, larger than today's).</summary>
    public int? SizeGiB { get; init; }

    /// <summary>An admin's reset of the state (one of Cinder's volume statuses).</summary>
    public string? State { get; init; }
}
