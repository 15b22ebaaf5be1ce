namespace CinderBackup;

/// <summary>The identity every call runs as: a project, a user, and whether the caller is an administrator.</summary>
public sealed class BackupContext
{
    public BackupContext(string projectName, string userName, bool isAdmin, string source)
    {
        ProjectName = projectName;
        UserName = userName;
        IsAdmin = isAdmin;
        Source = source;
    }

    public string ProjectName { get; }

    public string UserName { get; }

    public bool IsAdmin { get; }

    /// <summary>Where the identity came from: session, command line, config, environment or default.</summary>
    public string Source { get; }

    /// <summary>The configuration file in effect, or null on embedded defaults.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>The data directory holding the catalog, file pool and log.</summary>
    public string? DataDirectory { get; init; }

    public override string ToString() => $"{UserName}@{ProjectName}{(IsAdmin ? " (admin)" : "")}";
}
