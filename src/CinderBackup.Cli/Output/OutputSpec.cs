namespace CinderBackup.Cli.Output;

/// <summary>The openstack client's output options: -f FORMAT, -c COLUMN..., --noindent, --prefix.</summary>
internal sealed record OutputSpec(string Format, IReadOnlyList<string> Columns, bool NoIndent, string Prefix)
{
    public static readonly OutputSpec Default = new("table", Array.Empty<string>(), false, "");
}
