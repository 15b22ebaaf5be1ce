using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using CinderBackup.Engine.Completion;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>
/// Tab completion of names and ids from the catalog (the session's identity and config), quoted for PowerShell.
/// The engine does the matching and never throws; a -Name parameter completes names only, an -…Id parameter ids only.
/// </summary>
public abstract class CatalogCompleter : IArgumentCompleter
{
    // Held as its number: PowerShell reads this assembly's public types before the module's load context is set up,
    // and a field of an engine enum would make it load the engine then (see Loading/ModuleLoader.cs).
    private readonly int _kind;

    protected CatalogCompleter(CompletionKind kind) => _kind = (int)kind;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var options = SessionOptions.Current();
            var word = wordToComplete ?? "";
            var quote = word.StartsWith('"') ? '"' : word.StartsWith('\'') ? '\'' : (char?)null;
            return CompletionSource.Candidates(options, (CompletionKind)_kind, word, namesOnly: parameterName == "Name",
                    idsOnly: parameterName.EndsWith("Id", StringComparison.Ordinal))
                .Select(c => new CompletionResult(Quote(c.Text, quote), c.Text, CompletionResultType.ParameterValue, c.ToolTip))
                .ToList();
        }
        catch (Exception)
        {
            return Array.Empty<CompletionResult>(); // a completer must never throw at the prompt
        }
    }

    /// <summary>Quotes text that PowerShell would otherwise split or expand; keeps the quote the user started with.</summary>
    internal static string Quote(string text, char? userQuote)
    {
        var needs = userQuote is not null || text.Length == 0 || text[0] is '-' or '@' or '#' ||
                    text.Any(ch => char.IsWhiteSpace(ch) || "'\"`$;,(){}&|<>".Contains(ch));
        if (!needs)
        {
            return text;
        }
        return userQuote == '"'
            ? "\"" + text.Replace("`", "``").Replace("\"", "`\"").Replace("$", "`$") + "\""
            : "'" + text.Replace("'", "''") + "'";
    }
}
