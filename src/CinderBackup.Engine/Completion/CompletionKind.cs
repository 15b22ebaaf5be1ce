namespace CinderBackup.Engine.Completion;

/// <summary>What a tab-completed argument names.</summary>
public enum CompletionKind
{
    Volume,
    Snapshot,
    Backup,
}
