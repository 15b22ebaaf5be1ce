namespace CinderBackup.Cli.Output;

/// <summary>
/// A value with two renderings, like cliff's FormattableColumn: text for tables and values, structure for
/// json and yaml.
/// </summary>
internal sealed record Cell(string HumanReadable, object? MachineReadable)
{
    public override string ToString() => HumanReadable;
}
