namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The temporary files of catalog backups and restores, named after the process that made them (host, pid, a unique
/// part) so that those of a killed process can be recognised and removed.
/// </summary>
internal static class CatalogTempFiles
{
    public const string RestoreTemp = ".catalog-restore-";
    public const string PreviousTemp = ".catalog-before-restore-";

    /// <summary>The part of a temporary name that says which process made it: host and pid, then a unique part.</summary>
    public static string Stamp() => $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>
    /// Removes the temporary files of catalog restores in <paramref name="dataDirectory"/> whose process is gone (killed
    /// part way): at every start-up, and before a restore.
    /// </summary>
    public static void RemoveAbandoned(string dataDirectory)
    {
        RemoveAbandoned(dataDirectory, RestoreTemp);
        RemoveAbandoned(dataDirectory, PreviousTemp);
    }

    /// <summary>Deletes files named <paramref name="start"/>&lt;this host&gt;-&lt;pid&gt;-… (and their SQLite side files) whose pid no longer runs.</summary>
    public static void RemoveAbandoned(string directory, string start)
    {
        var mine = start + Environment.MachineName + "-";
        IEnumerable<string> names;
        try
        {
            names = Directory.EnumerateFiles(directory, mine + "*").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var path in names)
        {
            var rest = Path.GetFileName(path)[mine.Length..];
            var dash = rest.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(rest[..dash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && !Util.LocalProcess.Runs(pid))
            {
                try
                {
                    File.Delete(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
