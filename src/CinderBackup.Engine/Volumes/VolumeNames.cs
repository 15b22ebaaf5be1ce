namespace CinderBackup.Engine.Volumes;

/// <summary>How messages name a volume: its name and id, or its id alone when it has no name.</summary>
internal static class VolumeNames
{
    public static string Describe(BlockVolume v) => v.Name is { Length: > 0 } n ? $"'{n}' ({v.Id})" : v.Id;
}
