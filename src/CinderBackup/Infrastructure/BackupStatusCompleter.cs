using CinderBackup.Engine.Api;
using CinderBackup.Engine.Completion;
using CinderBackup.Engine.Format;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>Tab completion of backup statuses (Cinder's spelling).</summary>
public sealed class BackupStatusCompleter : ValueCompleter
{
    protected override IEnumerable<string> Values(EngineOptions options, string word) => CompletionSource.Matching(BackupStatus.All, word);
}
