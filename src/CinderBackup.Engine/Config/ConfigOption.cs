namespace CinderBackup.Engine.Config;

/// <summary>
/// One known configuration key: its type, limits and default. <see cref="Secret"/> values (credentials) make the file
/// need mode 0600 and are never shown; <see cref="PerRepository"/> keys may also be set inside a named repository.
/// </summary>
internal sealed record ConfigOption(
    string Name,
    ConfigValueKind Kind,
    object? Default,
    string Help,
    long Min = long.MinValue,
    long Max = long.MaxValue,
    IReadOnlyList<string>? Choices = null,
    bool Secret = false,
    bool PerRepository = false);
