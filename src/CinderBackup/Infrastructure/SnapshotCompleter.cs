using CinderBackup.Engine.Completion;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>Tab completion of snapshot names and ids.</summary>
public sealed class SnapshotCompleter : CatalogCompleter
{
    public SnapshotCompleter()
        : base(CompletionKind.Snapshot)
    {
    }
}
