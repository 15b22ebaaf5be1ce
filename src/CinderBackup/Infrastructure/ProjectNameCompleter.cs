using CinderBackup.Engine.Api;
using CinderBackup.Engine.Completion;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>Tab completion of project names: an admin's from the catalog, anyone else's own project only.</summary>
public sealed class ProjectNameCompleter : ValueCompleter
{
    protected override IEnumerable<string> Values(EngineOptions options, string word) => CompletionSource.Projects(options, word);
}
