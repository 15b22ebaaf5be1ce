using CinderBackup.Engine.Api;
using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.ObjectStores.Posix;
using CinderBackup.Engine.Repositories;
using CinderBackup.Engine.Repositories.Chunked;

namespace CinderBackup.Engine.Tests;

/// <summary>The resolver's test seam: a registered store stands in for that posix directory only, and only while registered.</summary>
public sealed class SubstituteStoresTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    private Config.RepositoryDefinition Repository(string path)
    {
        _home.WriteConfig($"backup_posix_path: {path}\n");
        return BackupEngine.LoadSettings(EngineFactory.Options(_home)).Config.Repositories[0];
    }

    /// <summary>The object store under the chunked driver the resolver hands out.</summary>
    private static IObjectStore StoreOf(Config.RepositoryDefinition r) => Assert.IsType<ChunkedRepository>(RepositoryResolver.Create(r)).Store;

    [Fact]
    public void ARegisteredStoreStandsInForItsDirectoryWhileRegistered()
    {
        var path = _home.File_("repository");
        var (store, registration) = MemoryObjectStore.Register(path);
        using (registration)
        {
            Assert.Same(store, StoreOf(Repository(path)));
            Assert.Same(store, StoreOf(Repository(path + "/../repository/"))); // the same directory
            Assert.IsType<PosixObjectStore>(StoreOf(Repository(_home.File_("other"))));
            Assert.Throws<InvalidOperationException>(() => MemoryObjectStore.Register(path));
        }
        Assert.IsType<PosixObjectStore>(StoreOf(Repository(path)));
    }
}
