using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>Tab completion of configured repository names (from the configuration only; never throws).</summary>
public sealed class RepositoryNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<string> names;
        try
        {
            var session = SessionContextStore.Current;
            var (config, _) = BackupEngine.LoadSettings(new EngineOptions { ConfigPath = session.ConfigPath });
            names = new RepositoryApi(config).Names;
        }
        catch (Exception)
        {
            yield break;
        }
        var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        foreach (var name in names.Where(n => pattern.IsMatch(n)))
        {
            var text = name.Any(c => c is ' ' or '\'' or '"' or '$' or '`') ? "'" + name.Replace("'", "''") + "'" : name;
            yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, name);
        }
    }
}
