using System.CommandLine;

namespace CinderBackup.Cli.Commands;

/// <summary>
/// The openstack client's multi-item loop: each failure is reported, the rest continue, and a summary
/// line ("1 of 2 volumes failed to delete.") ends with exit code 1.
/// </summary>
internal static class DeleteLoop
{
    public static int Run(CliApp app, ParseResult parse, string noun, IReadOnlyList<string> items, Action<string> delete) =>
        Run(app, parse, noun, "delete", items, delete);

    /// <summary>The same loop for another verb ("set": "Failed to set backup with name or ID 'x': ...").</summary>
    public static int Run(CliApp app, ParseResult parse, string noun, string verb, IReadOnlyList<string> items, Action<string> action)
    {
        var failed = 0;
        foreach (var item in items)
        {
            try
            {
                action(item);
            }
            catch (Exception e)
            {
                failed++;
                app.ReportError(parse, e, $"Failed to {verb} {noun} with name or ID '{item}': ");
            }
        }
        if (failed > 0)
        {
            app.Err.WriteLine($"{failed} of {items.Count} {noun}s failed to {verb}.");
            return 1;
        }
        return 0;
    }
}
