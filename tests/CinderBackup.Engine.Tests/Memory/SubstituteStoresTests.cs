using CinderBackup.Engine.Api;
using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.ObjectStores.Posix;
using CinderBackup.Engine.Repositories;

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

    [Fact]
    public void ARegisteredStoreStandsInForItsDirectoryWhileRegistered()
    {
        var path = _home.File_("repository");
        var (store, registration) = MemoryObjectStore.Register(path);
        using (registration)
        {
            Assert.Same(store, RepositoryResolver.Create(Repository(path)));
            Assert.Same(store, RepositoryResolver.Create(Repository(path + "/../repository/"))); // the same directory
            Assert.IsType<PosixObjectStore>(RepositoryResolver.Create(Repository(_home.File_("other"))));
            Assert.Throws<InvalidOperationException>(() => MemoryObjectStore.Register(path));
        }
        Assert.IsType<PosixObjectStore>(RepositoryResolver.Create(Repository(path)));
    }
}
