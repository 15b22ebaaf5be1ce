using System.Management.Automation;

namespace CinderBackup.PowerShell.Tests;

/// <summary>
/// How one documented error id is produced through the cmdlets: the config, a set-up script (its last output, a
/// hashtable, becomes $v for the rest and for the placeholders {name} of the expected message and target), and the
/// action that must fail with exactly that id, category, message and target. {home} and {root} are the data
/// directory and the test's folder.
/// </summary>
public sealed record ErrorCase(string Id, ErrorCategory Category, string Setup, string Act, string Message, string Target, string Config = "")
{
    public override string ToString() => Id;
}
