using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.ObjectStores.Posix;
using CinderBackup.Engine.Repositories;

namespace CinderBackup.Engine.Tests;

/// <summary>The object store contract against the posix store, on a temporary directory.</summary>
public sealed class PosixStoreContractTests : ObjectStoreContract
{
    private protected override IObjectStore Make(bool createContainers = true, string? defaultContainer = null, bool rootExists = false)
    {
        if (rootExists)
        {
            Directory.CreateDirectory(Root);
        }
        return new PosixObjectStore(Root, createContainers, defaultContainer: defaultContainer);
    }
}
