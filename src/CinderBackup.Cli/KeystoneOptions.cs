using System.CommandLine;

namespace CinderBackup.Cli;

/// <summary>
/// The openstack and cinder clients' Keystone options that this tool has no use for (it talks to no Keystone and no
/// Cinder API), accepted on every command so that a seed's command line runs as written, e.g. <c>openstack
/// --os-auth-url URL --os-password PW volume backup create ...</c>. Those given are named in one line on stderr;
/// their values (a password) are never shown. --os-username, --os-project-name and --os-token are used (see
/// <see cref="CliApp"/>).
/// </summary>
internal sealed class KeystoneOptions
{
    private static readonly string[] ValueOptions =
    {
        "--os-auth-url", "--os-password", "--os-auth-type", "--os-cloud", "--os-volume-api-version",
        "--os-identity-api-version", "--os-user-id", "--os-user-domain-name", "--os-user-domain-id", "--os-project-id",
        "--os-project-domain-name", "--os-project-domain-id", "--os-region-name", "--os-interface", "--os-endpoint-type",
        "--os-cacert", "--os-cert", "--os-key",
    };

    private readonly List<Option> _options = new();

    public KeystoneOptions(Command root)
    {
        foreach (var name in ValueOptions)
        {
            Add(root, new Option<string>(name) { Recursive = true, HelpName = "VALUE", Description = "Accepted for the openstack client's command lines and ignored (noted on stderr)." });
        }
        Add(root, new Option<bool>("--insecure") { Recursive = true, Description = "Accepted for the openstack client's command lines and ignored (noted on stderr)." });
    }

    private void Add(Command root, Option option)
    {
        root.Options.Add(option);
        _options.Add(option);
    }

    /// <summary>One line naming the ignored options given, in the order of the list above; null when none was given.</summary>
    public string? Note(ParseResult parse)
    {
        var given = _options.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
        return given.Count == 0 ? null : $"cinder-backup: ignoring {string.Join(", ", given)} (no Keystone or Cinder API here; only --os-username, --os-project-name and --os-token are used).";
    }
}
