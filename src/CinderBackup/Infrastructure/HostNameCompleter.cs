using CinderBackup.Engine.Api;
using CinderBackup.Engine.Completion;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>Tab completion of the hosts that run backup services.</summary>
public sealed class HostNameCompleter : ValueCompleter
{
    protected override IEnumerable<string> Values(EngineOptions options, string word) => CompletionSource.Hosts(options, word);
}
