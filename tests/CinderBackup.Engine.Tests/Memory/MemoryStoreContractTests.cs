using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.ObjectStores.Posix;
using CinderBackup.Engine.Repositories;

namespace CinderBackup.Engine.Tests;

/// <summary>The object store contract against the memory store: the same cases as <see cref="PosixStoreContractTests"/>.</summary>
public sealed class MemoryStoreContractTests : ObjectStoreContract
{
    private protected override IObjectStore Make(bool createContainers = true, string? defaultContainer = null, bool rootExists = false) =>
        new MemoryObjectStore(Root, createContainers, defaultContainer: defaultContainer, rootExists: rootExists);

    [Fact]
    public void NothingIsWrittenToTheDisk()
    {
        var store = Make();
        store.PutContainer("a/b");
        store.CreateMarker("a/b", "{}");
        using (var staged = store.Stage("a/b", "t"))
        {
            staged.Stream.Write("data"u8);
            staged.Commit("obj");
        }
        Assert.False(Directory.Exists(Root));
    }
}
