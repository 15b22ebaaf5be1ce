using System.CommandLine;

namespace CinderBackup.Cli.Commands;

/// <summary>
/// The openstack client's multi-item delete: each failure is reported, the rest continue, and a summary
/// line ("1 of 2 volumes failed to delete.") ends with exit code 1.
/// </summary>
internal static class DeleteLoop
{
    public static int Run(CliApp app, ParseResult parse, string noun, IReadOnlyList<string> items, Action<string> delete)
    {
        var failed = 0;
        foreach (var item in items)
        {
            try
            {
                delete(item);
            }
            catch (Exception e)
            {
                failed++;
                app.ReportError(parse, e, $"Failed to delete {noun} with name or ID '{item}': ");
            }
        }
        if (failed > 0)
        {
            app.Err.WriteLine($"{failed} of {items.Count} {noun}s failed to delete.");
            return 1;
        }
        return 0;
    }
}
