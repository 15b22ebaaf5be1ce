using CinderBackup.Engine.Completion;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>Tab completion of backup names and ids.</summary>
public sealed class BackupCompleter : CatalogCompleter
{
    public BackupCompleter()
        : base(CompletionKind.Backup)
    {
    }
}
