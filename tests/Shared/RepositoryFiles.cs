namespace CinderBackup.Tests.Shared;

/// <summary>
/// The files of a posix repository that belong to backups: every file under it but the repository's identity marker
/// (written once at the root and kept when every backup is gone).
/// </summary>
public static class RepositoryFiles
{
    public const string Marker = ".cinderbackup-repository";

    public static List<string> Of(string repository) =>
        Directory.Exists(repository)
            ? Directory.EnumerateFiles(repository, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != Marker).ToList()
            : new List<string>();
}
