using System.Text;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.ObjectStores.Posix;
using CinderBackup.Engine.Repositories;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// What the engine relies on from an object store, as cases that run against the posix store and the memory store alike
/// (<see cref="PosixStoreContractTests"/>, <see cref="MemoryStoreContractTests"/>): staged objects invisible until
/// committed, a commit or link never replacing an object, ordinal listings, the depth-first scan, and the same error ids
/// for missing objects, containers and roots and for bad names. A case that passes for one and fails for the other is
/// the two drifting apart.
/// </summary>
public abstract class ObjectStoreContract : IDisposable
{
    private const string C = "ab/cd/container";

    protected ObjectStoreContract()
    {
        Home = new TempHome();
        Root = Home.File_("repo");
    }

    protected TempHome Home { get; }

    protected string Root { get; }

    public void Dispose() => Home.Dispose();

    /// <summary>A store over <see cref="Root"/>, which exists or not as <paramref name="rootExists"/> says.</summary>
    private protected abstract IObjectStore Make(bool createContainers = true, string? defaultContainer = null, bool rootExists = false);

    private static void Put(IObjectStore store, string container, string name, string text)
    {
        using var staged = store.Stage(container, "t");
        staged.Stream.Write(Encoding.UTF8.GetBytes(text));
        staged.Commit(name);
    }

    private static string Read(IObjectStore store, string container, string name)
    {
        using var stream = store.OpenRead(container, name);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Fails(string errorId, ErrorKind kind, Action action)
    {
        var e = Assert.Throws<CinderBackupException>(action);
        Assert.Equal((errorId, kind), (e.ErrorId, e.Kind));
    }

    [Fact]
    public void AStagedObjectIsInvisibleUntilCommitted()
    {
        var store = Make();
        store.PutContainer(C);
        using (var staged = store.Stage(C, "b1"))
        {
            staged.Stream.Write("data"u8);
            Assert.Null(store.Size(C, "volume_x_backup_b1-00001"));
            Assert.Empty(store.List(C, "volume_"));
            Assert.Empty(store.Scan(null));
            var listed = Assert.Single(store.List(C, "")); // a staging object has a name, outside every prefix
            Assert.StartsWith(PosixObjectStore.StagePrefix + "b1-", listed);

            staged.Commit("volume_x_backup_b1-00001");
        }
        Assert.Equal(4, store.Size(C, "volume_x_backup_b1-00001"));
        Assert.Equal("data", Read(store, C, "volume_x_backup_b1-00001"));
        Assert.Equal(new[] { "volume_x_backup_b1-00001" }, store.List(C, ""));
        Assert.Equal(new[] { (C, "volume_x_backup_b1-00001") }, store.Scan(null));
    }

    [Fact]
    public void AStagedObjectDisposedWithoutCommitLeavesNothing()
    {
        var store = Make();
        store.PutContainer(C);
        using (var staged = store.Stage(C, "b1"))
        {
            staged.Stream.Write("data"u8);
        }
        Assert.Empty(store.List(C, ""));
    }

    [Fact]
    public void ACommitNeverReplacesAnObject()
    {
        var store = Make();
        store.PutContainer(C);
        Put(store, C, "obj", "first");
        using (var staged = store.Stage(C, "t"))
        {
            staged.Stream.Write("second"u8);
            Fails(ErrorIds.RepositoryError, ErrorKind.IOError, () => staged.Commit("obj"));
        }
        Assert.Equal("first", Read(store, C, "obj"));
        Assert.Equal(new[] { "obj" }, store.List(C, "")); // the refused object's staging is gone with it
    }

    [Fact]
    public void ListingsAreInOrdinalOrderAndFilteredByPrefix()
    {
        var store = Make();
        store.PutContainer(C);
        foreach (var name in new[] { "volume_a_10", "other", "volume_B", "volume_a_2", "volume_a_1", "volume_b", "volume_a_1_sha256file" })
        {
            Put(store, C, name, name);
        }
        Assert.Equal(new[] { "volume_B", "volume_a_1", "volume_a_10", "volume_a_1_sha256file", "volume_a_2", "volume_b" }, store.List(C, "volume_"));
        Assert.Equal(new[] { "volume_a_1", "volume_a_10", "volume_a_1_sha256file" }, store.List(C, "volume_a_1"));
        Assert.Empty(store.List(C, "volume_c"));
    }

    [Fact]
    public void WhatIsMissingIsNullEmptyOrNoErrorWhereTheEngineAsks()
    {
        var store = Make();
        Assert.Empty(store.List(C, "volume_"));
        Assert.Null(store.Size(C, "obj"));
        store.Delete(C, "obj");
        store.RemoveStaged(C, "t");
        Assert.False(store.ContainerExists(C));
        store.PutContainer(C);
        Assert.True(store.ContainerExists(C));
        Assert.Null(store.Size(C, "obj"));
        store.Delete(C, "obj");
    }

    [Fact]
    public void ReadingAMissingObjectOrContainerIsBackupObjectMissing()
    {
        var store = Make();
        var e = Assert.Throws<CinderBackupException>(() => store.OpenRead(C, "obj"));
        Assert.Equal((ErrorIds.BackupObjectMissing, ErrorKind.InvalidData, C), (e.ErrorId, e.Kind, e.Target));
        store.PutContainer(C);
        e = Assert.Throws<CinderBackupException>(() => store.OpenRead(C, "obj"));
        Assert.Equal((ErrorIds.BackupObjectMissing, ErrorKind.InvalidData, "obj"), (e.ErrorId, e.Kind, e.Target));
    }

    [Fact]
    public void ADeletedObjectIsGone()
    {
        var store = Make();
        store.PutContainer(C);
        Put(store, C, "obj", "x");
        store.Delete(C, "obj");
        Assert.Null(store.Size(C, "obj"));
        Fails(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData, () => store.OpenRead(C, "obj"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("/etc")]
    [InlineData("../outside")]
    [InlineData("a/../../outside")]
    [InlineData("a\u0001b")]
    [InlineData(".")]
    public void ABadContainerIsRefusedByEveryOperation(string container)
    {
        var store = Make();
        Fails(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument, () => store.ValidateContainer(container));
        Fails(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument, () => store.PutContainer(container));
        Fails(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument, () => store.List(container, ""));
        Fails(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument, () => store.Size(container, "obj"));
        Fails(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument, () => store.Stage(container, "t"));
        Fails(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument, () => store.OpenRead(container, "obj"));
        Fails(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument, () => store.Scan(container).ToList());
        Fails(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument, () => store.CheckWritable(container));
    }

    [Fact]
    public void ALongContainerNameIsRefused() => Fails(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument, () => Make().ValidateContainer(new string('a', 256)));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a\nb")]
    public void AnObjectNameThatIsNotAPlainNameIsRefused(string name)
    {
        var store = Make();
        store.PutContainer(C);
        Fails(ErrorIds.InvalidBackup, ErrorKind.InvalidData, () => store.OpenRead(C, name));
        Fails(ErrorIds.InvalidBackup, ErrorKind.InvalidData, () => store.Size(C, name));
        Fails(ErrorIds.InvalidBackup, ErrorKind.InvalidData, () => store.Delete(C, name));
        Fails(ErrorIds.InvalidBackup, ErrorKind.InvalidData, () => store.TryLink(C, name, "x"));
    }

    [Fact]
    public void ContainerNamesMeanWhatTheirPathMeans()
    {
        var store = Make();
        store.PutContainer("a//b/");
        Assert.True(store.ContainerExists("a/b"));
        Assert.True(store.ContainerExists("a")); // parents are made too
        Put(store, "./a/b", "obj", "x");
        Assert.Equal("x", Read(store, "a/b", "obj"));
        Assert.Equal(new[] { ("a/b", "obj") }, store.Scan(null));
    }

    [Fact]
    public void TheScanWalksDepthFirstInOrdinalOrderAndLeavesStagingOut()
    {
        var store = Make();
        foreach (var (container, name) in new[] { ("ab/cd/y", "o2"), ("a-c", "o1"), ("ab/cd/x", "o3"), ("ab/cd/x", "o0"), ("ab", "o5"), ("b", "o4") })
        {
            store.PutContainer(container);
            Put(store, container, name, name);
        }
        Assert.True(store.CreateMarker("b", "{}"));
        using var pending = store.Stage("ab", "t");
        Assert.Equal(new[]
        {
            ("", RepositoryMarker.Name),
            ("a-c", "o1"),
            ("ab", "o5"),
            ("ab/cd/x", "o0"),
            ("ab/cd/x", "o3"),
            ("ab/cd/y", "o2"),
            ("b", "o4"),
        }, store.Scan(null));
        Assert.Equal(new[] { ("ab/cd/x", "o0"), ("ab/cd/x", "o3"), ("ab/cd/y", "o2") }, store.Scan("ab/cd"));
    }

    [Fact]
    public void ScanningAMissingRootOrContainerIsRepositoryUnavailable()
    {
        var store = Make();
        Fails(ErrorIds.RepositoryUnavailable, ErrorKind.NotFound, () => store.Scan(null).ToList());
        store.PutContainer("a");
        Assert.Empty(store.Scan(null));
        Fails(ErrorIds.RepositoryUnavailable, ErrorKind.NotFound, () => store.Scan("b").ToList());
    }

    [Fact]
    public void WithoutCreateContainersAMissingContainerIsContainerNotFound()
    {
        var store = Make(createContainers: false);
        Fails(ErrorIds.ContainerNotFound, ErrorKind.NotFound, () => store.PutContainer(C));
        Fails(ErrorIds.ContainerNotFound, ErrorKind.NotFound, () => store.CheckWritable(C));
        Fails(ErrorIds.ContainerNotFound, ErrorKind.NotFound, () => store.CheckWritable(null)); // the root is missing
        var (reachable, problem) = store.Probe();
        Assert.False(reachable);
        Assert.EndsWith("does not exist and backup_create_containers is false.", problem);
        Assert.False(store.ContainerExists(C));
    }

    [Fact]
    public void WithoutCreateContainersAnExistingRootIsWritable()
    {
        var store = Make(createContainers: false, rootExists: true);
        store.CheckWritable(null);
        Assert.Equal((true, (string?)null), store.Probe());
        Fails(ErrorIds.ContainerNotFound, ErrorKind.NotFound, () => store.CheckWritable(C));
    }

    [Fact]
    public void AConfiguredContainerIsTheOneChecked()
    {
        var store = Make(createContainers: false, defaultContainer: "fixed", rootExists: true);
        Assert.Equal("fixed", store.DefaultContainer("0123456789"));
        Fails(ErrorIds.ContainerNotFound, ErrorKind.NotFound, () => store.CheckWritable(null));
        Assert.Equal("01/23/0123456789", Make().DefaultContainer("0123456789"));
    }

    [Fact]
    public void WithCreateContainersEverythingIsWritableAndReachable()
    {
        var store = Make();
        store.CheckWritable(null);
        store.CheckWritable(C);
        Assert.Equal((true, (string?)null), store.Probe());
    }

    [Fact]
    public void StagingInAMissingContainerIsARepositoryError()
    {
        var store = Make();
        Fails(ErrorIds.RepositoryError, ErrorKind.IOError, () => store.Stage(C, "t"));
    }

    [Fact]
    public void ALinkIsASecondNameThatNeverReplacesOne()
    {
        var store = Make();
        store.PutContainer(C);
        Put(store, C, "hole-1", "zeros");
        Put(store, C, "taken", "other");
        Assert.True(store.TryLink(C, "hole-1", "hole-2"));
        Assert.Equal("zeros", Read(store, C, "hole-2"));
        Fails(ErrorIds.RepositoryError, ErrorKind.IOError, () => store.TryLink(C, "hole-1", "taken"));
        Assert.Equal("other", Read(store, C, "taken"));
        Assert.False(store.TryLink(C, "missing", "hole-3")); // nothing to link: the caller writes the object itself
        Assert.Null(store.Size(C, "hole-3"));
        store.Delete(C, "hole-1");
        Assert.Equal("zeros", Read(store, C, "hole-2")); // the other name keeps the data
        Assert.Equal(new[] { "hole-2", "taken" }, store.List(C, ""));
    }

    [Fact]
    public void RemovingStagedObjectsTakesOnlyThatTagsAndACommitAfterwardsFails()
    {
        var store = Make();
        store.PutContainer(C);
        using var mine = store.Stage(C, "b1");
        using var other = store.Stage(C, "b2");
        mine.Stream.Write("x"u8);
        store.RemoveStaged(C, "b1");
        var left = Assert.Single(store.List(C, ""));
        Assert.StartsWith(PosixObjectStore.StagePrefix + "b2-", left);
        Fails(ErrorIds.RepositoryError, ErrorKind.IOError, () => mine.Commit("obj"));
        Assert.Null(store.Size(C, "obj"));
    }

    [Fact]
    public void ZerosMakeAnObjectOfThatManyZeroBytes()
    {
        var store = Make();
        store.PutContainer(C);
        using (var staged = store.Stage(C, "t"))
        {
            staged.WriteZeros(100_000);
            staged.Commit("hole");
            Assert.Throws<ObjectDisposedException>(() => staged.Stream);
        }
        Assert.Equal(100_000, store.Size(C, "hole"));
        using (var stream = store.OpenRead(C, "hole"))
        {
            var data = new byte[200_000];
            Assert.Equal(100_000, stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false));
            Assert.True(data.All(b => b == 0));
        }
        using var late = store.Stage(C, "t");
        late.Stream.Write("x"u8);
        late.Stream.Flush();
        Assert.Throws<InvalidOperationException>(() => late.WriteZeros(10));
    }

    [Fact]
    public void TheMarkerIsWrittenOnceAtTheRootAndNeverReplaced()
    {
        var store = Make();
        Assert.Null(store.ReadMarker(C));
        Fails(ErrorIds.RepositoryError, ErrorKind.IOError, () => store.CreateMarker(C, "first")); // no root yet
        store.PutContainer(C);
        Assert.True(store.CreateMarker(C, "first"));
        Assert.False(store.CreateMarker("elsewhere", "second"));
        Assert.Equal("first", store.ReadMarker("other/container"));
        Assert.Equal(store.MarkerLocation(C), store.MarkerLocation("other"));
        Assert.Empty(store.List(C, ""));
    }

    [Fact]
    public void NamesOfBackupsFollowPosixLayout()
    {
        var store = Make();
        Assert.Equal(("posix", Config.RepositoryDefinition.PosixService), (store.Driver, store.ServiceName));
        Assert.Equal("volume_v1_20240501123456_backup_b1", store.Prefix("v1", "b1", new DateTime(2024, 5, 1, 12, 34, 56, DateTimeKind.Utc), "nova"));
    }
}
