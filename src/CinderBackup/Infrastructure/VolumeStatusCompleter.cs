using CinderBackup.Engine.Api;
using CinderBackup.Engine.Completion;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>Tab completion of volume statuses (Cinder's spelling).</summary>
public sealed class VolumeStatusCompleter : ValueCompleter
{
    protected override IEnumerable<string> Values(EngineOptions options, string word) => CompletionSource.Matching(VolumeStatus.All, word);
}
