using CinderBackup.Engine.Completion;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>Tab completion of volume names and ids.</summary>
public sealed class VolumeCompleter : CatalogCompleter
{
    public VolumeCompleter()
        : base(CompletionKind.Volume)
    {
    }
}
