namespace CinderBackup.Engine.Config;

/// <summary>One known configuration key: its type, limits and default.</summary>
internal sealed record ConfigOption(
    string Name,
    ConfigValueKind Kind,
    object? Default,
    string Help,
    long Min = long.MinValue,
    long Max = long.MaxValue,
    IReadOnlyList<string>? Choices = null,
    bool Secret = false);
