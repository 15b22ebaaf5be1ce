using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>
/// Tab completion of plain values (statuses, project names, host names): what <see cref="Values"/> returns for the
/// word, quoted for PowerShell where needed. Never throws: a failure completes nothing.
/// </summary>
public abstract class ValueCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var word = wordToComplete ?? "";
            var quote = word.StartsWith('"') ? '"' : word.StartsWith('\'') ? '\'' : (char?)null;
            return Values(SessionOptions(), word)
                .Select(v => new CompletionResult(CatalogCompleter.Quote(v, quote), v, CompletionResultType.ParameterValue, v))
                .ToList();
        }
        catch (Exception)
        {
            return Array.Empty<CompletionResult>(); // a completer must never throw at the prompt
        }
    }

    /// <summary>The values matching <paramref name="word"/> (quotes and all, as typed).</summary>
    protected abstract IEnumerable<string> Values(EngineOptions options, string word);

    /// <summary>The session's identity and configuration (Set-BackupContext), as the cmdlets use them.</summary>
    private static EngineOptions SessionOptions()
    {
        var session = SessionContextStore.Current;
        return new EngineOptions
        {
            ConfigPath = session.ConfigPath, ProjectName = session.ProjectName, UserName = session.UserName, Admin = session.Admin, OverrideSource = "session",
        };
    }
}
