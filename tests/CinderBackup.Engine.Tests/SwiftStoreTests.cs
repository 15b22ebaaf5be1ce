using System.Net;
using System.Text;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.ObjectStores;
using CinderBackup.Engine.ObjectStores.Swift;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// The object store contract (<see cref="ObjectStoreContract"/>'s cases that are not about posix paths) against the
/// Swift store on a real Swift all-in-one, plus what is Swift's own: Cinder's ETag check, retries, the container rules.
/// </summary>
[Collection("swift")]
public sealed class SwiftStoreTests : IDisposable
{
    private readonly SwiftServer _swift;
    private readonly TempHome _home = new();
    private readonly string _c = SwiftHome.Container("store");

    public SwiftStoreTests(SwiftFixture swift) => _swift = swift.Server;

    public void Dispose() => _home.Dispose();

    private SwiftSettings Settings(bool createContainers = true, int retries = 2, int backoffSeconds = 0) => new()
    {
        Repository = "default",
        AuthMode = "single_user",
        AuthUrl = _swift.AuthUrl,
        User = SwiftServer.User,
        Key = SwiftServer.Key,
        Container = _c,
        RetryAttempts = retries,
        RetryBackoff = TimeSpan.FromSeconds(backoffSeconds),
        Timeout = TimeSpan.FromSeconds(10),
        CreateContainers = createContainers,
        TempDirectory = _home.File_("tmp"),
    };

    private SwiftObjectStore Make(bool createContainers = true) => new(Settings(createContainers));

    private static void Put(IObjectStore store, string container, string name, string text)
    {
        using (var staged = store.Stage(container, "t"))
        {
            staged.Stream.Write(Encoding.UTF8.GetBytes(text));
            staged.Commit(name);
        }
        store.WaitForWrites();
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
    public void AStagedObjectIsInvisibleUntilCommittedAndStored()
    {
        var store = Make();
        store.PutContainer(_c);
        using (var staged = store.Stage(_c, "b1"))
        {
            staged.Stream.Write("data"u8);
            Assert.Null(store.Size(_c, "volume_x/1/az_nova_backup_b1-00001"));
            Assert.Empty(store.List(_c, ""));
            Assert.Empty(store.Scan(null));
            staged.Commit("volume_x/1/az_nova_backup_b1-00001");
        }
        store.WaitForWrites();
        Assert.Equal(4, store.Size(_c, "volume_x/1/az_nova_backup_b1-00001"));
        Assert.Equal("data", Read(store, _c, "volume_x/1/az_nova_backup_b1-00001"));
        Assert.Equal(new[] { (_c, "volume_x/1/az_nova_backup_b1-00001") }, store.Scan(null));
        Assert.Empty(Directory.EnumerateFiles(store.StagingDirectory));
    }

    [Fact]
    public void AStagedObjectDisposedWithoutCommitLeavesNothing()
    {
        var store = Make();
        store.PutContainer(_c);
        using (var staged = store.Stage(_c, "b1"))
        {
            staged.Stream.Write("data"u8);
        }
        store.WaitForWrites();
        Assert.Empty(store.List(_c, ""));
        Assert.Empty(Directory.EnumerateFiles(store.StagingDirectory));
    }

    [Fact]
    public void ACommitNeverReplacesAnObject()
    {
        var store = Make();
        store.PutContainer(_c);
        Put(store, _c, "obj", "first");
        var e = Assert.Throws<CinderBackupException>(() => Put(store, _c, "obj", "second"));
        Assert.Equal((ErrorIds.RepositoryError, ErrorKind.IOError), (e.ErrorId, e.Kind));
        Assert.Contains("never replaced", e.Message);
        Assert.Equal("first", Read(store, _c, "obj"));
        Assert.Empty(Directory.EnumerateFiles(store.StagingDirectory));
    }

    [Fact]
    public void ListingsAreInOrdinalOrderAndFilteredByPrefix()
    {
        var store = Make();
        store.PutContainer(_c);
        foreach (var name in new[] { "volume_a_10", "other", "volume_B", "volume_a_2", "volume_a_1", "volume_b", "volume_a_1_sha256file" })
        {
            Put(store, _c, name, name);
        }
        Assert.Equal(new[] { "volume_B", "volume_a_1", "volume_a_10", "volume_a_1_sha256file", "volume_a_2", "volume_b" }, store.List(_c, "volume_"));
        Assert.Equal(new[] { "volume_a_1", "volume_a_10", "volume_a_1_sha256file" }, store.List(_c, "volume_a_1"));
        Assert.Empty(store.List(_c, "volume_c"));
        Assert.Equal(new[] { "other", "volume_B", "volume_a_1" }, store.Scan(null).Take(3).Select(x => x.Name));
    }

    [Fact]
    public void WhatIsMissingIsNullEmptyOrNoErrorWhereTheEngineAsks()
    {
        var store = Make();
        Assert.Empty(store.List(_c, "volume_"));
        Assert.Null(store.Size(_c, "obj"));
        store.Delete(_c, "obj");
        store.RemoveStaged(_c, "t");
        Assert.False(store.ContainerExists(_c));
        Assert.Null(store.ReadMarker(_c));
        store.PutContainer(_c);
        Assert.True(store.ContainerExists(_c));
        Assert.Null(store.Size(_c, "obj"));
        store.Delete(_c, "obj");
        Fails(ErrorIds.ContainerNotFound, ErrorKind.NotFound, () => store.Scan(SwiftHome.Container("absent")).ToList());
    }

    [Fact]
    public void ReadingAMissingObjectIsBackupObjectMissingAndADeletedObjectIsGone()
    {
        var store = Make();
        Fails(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData, () => store.OpenRead(_c, "obj"));
        store.PutContainer(_c);
        var e = Assert.Throws<CinderBackupException>(() => store.OpenRead(_c, "obj"));
        Assert.Equal((ErrorIds.BackupObjectMissing, ErrorKind.InvalidData, "obj"), (e.ErrorId, e.Kind, e.Target));
        Put(store, _c, "obj", "x");
        store.Delete(_c, "obj");
        Assert.Null(store.Size(_c, "obj"));
        Fails(ErrorIds.BackupObjectMissing, ErrorKind.InvalidData, () => store.OpenRead(_c, "obj"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a/b")]
    [InlineData("/etc")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a\u0001b")]
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
    public void ALongContainerNameIsRefused() => Fails(ErrorIds.InvalidContainer, ErrorKind.InvalidArgument, () => Make().ValidateContainer(new string('a', 257)));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a//b")]
    [InlineData("/a")]
    [InlineData("a/../b")]
    [InlineData("a\nb")]
    public void AnObjectNameThatIsNotAPlainNameIsRefused(string name)
    {
        var store = Make();
        Fails(ErrorIds.InvalidBackup, ErrorKind.InvalidData, () => store.OpenRead(_c, name));
        Fails(ErrorIds.InvalidBackup, ErrorKind.InvalidData, () => store.Size(_c, name));
        Fails(ErrorIds.InvalidBackup, ErrorKind.InvalidData, () => store.Delete(_c, name));
        Fails(ErrorIds.InvalidBackup, ErrorKind.InvalidData, () => store.TryLink(_c, name, "x"));
    }

    [Fact]
    public void ZerosMakeAnObjectOfThatManyZeroBytes()
    {
        var store = Make();
        store.PutContainer(_c);
        using (var staged = store.Stage(_c, "t"))
        {
            staged.WriteZeros(100_000);
            staged.Commit("hole");
            Assert.Throws<ObjectDisposedException>(() => staged.Stream);
        }
        store.WaitForWrites();
        Assert.Equal(100_000, store.Size(_c, "hole"));
        using var stream = store.OpenRead(_c, "hole");
        var data = new byte[200_000];
        Assert.Equal(100_000, stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false));
        Assert.True(data.All(b => b == 0));
    }

    [Fact]
    public void TheMarkerIsWrittenOnceAtTheTopOfAContainerAndNeverReplaced()
    {
        var store = Make();
        store.PutContainer(_c);
        Assert.Null(store.ReadMarker(_c));
        Assert.True(store.CreateMarker(_c, "first"));
        Assert.False(store.CreateMarker(_c, "second"));
        Assert.Equal("first", store.ReadMarker(_c));
        Assert.Equal(new[] { RepositoryMarker.Name }, _swift.Objects(_c));
        Assert.Empty(store.List(_c, "volume_"));
    }

    [Fact]
    public void RemovingStagedObjectsTakesOnlyThatTags()
    {
        var store = Make();
        store.PutContainer(_c);
        using var mine = store.Stage(_c, "b1");
        using var other = store.Stage(_c, "b2");
        mine.Stream.Write("x"u8);
        store.RemoveStaged(_c, "b1");
        var left = Assert.Single(Directory.EnumerateFiles(store.StagingDirectory));
        Assert.Contains("-b2-", Path.GetFileName(left));
    }

    [Fact]
    public void WithoutCreateContainersAMissingContainerIsContainerNotFound()
    {
        var store = Make(createContainers: false);
        Fails(ErrorIds.ContainerNotFound, ErrorKind.NotFound, () => store.PutContainer(_c));
        Fails(ErrorIds.ContainerNotFound, ErrorKind.NotFound, () => store.CheckWritable(_c));
        Fails(ErrorIds.ContainerNotFound, ErrorKind.NotFound, () => store.CheckWritable(null));
        Assert.Equal((true, $"The container '{_c}' does not exist and backup_create_containers is false."), store.Probe());
        Make().PutContainer(_c);
        store.CheckWritable(null);
        Assert.Equal((true, (string?)null), store.Probe());
    }

    [Fact]
    public void NamesOfBackupsFollowCindersSwiftLayout()
    {
        var store = Make();
        Assert.Equal(("swift", "cinder.backup.drivers.swift.SwiftBackupDriver", _c), (store.Driver, store.ServiceName, store.DefaultContainer("0123456789")));
        Assert.Equal("volume_v1/20240501123456/az_nova_backup_b1", store.Prefix("v1", "b1", new DateTime(2024, 5, 1, 12, 34, 56, DateTimeKind.Utc), "nova"));
    }

    [Fact]
    public void AnEtagThatIsNotTheMd5SentFailsAsCindersWriterDoes()
    {
        var store = new SwiftObjectStore(Settings(), new SwiftClient(Settings(), wrap: inner => new Rewrite(inner, r =>
        {
            if (r.RequestMessage?.Method == HttpMethod.Put && r.Headers.Contains("ETag"))
            {
                r.Headers.Remove("ETag");
                r.Headers.TryAddWithoutValidation("ETag", "00000000000000000000000000000000");
            }
        })));
        store.PutContainer(_c);
        var e = Assert.Throws<CinderBackupException>(() => Put(store, _c, "obj", "data"));
        Assert.Contains("error writing object to swift, MD5 of object in swift 00000000000000000000000000000000 is not the same as MD5 of object sent to swift 8d777f385d3dfec8815d20f7496026dc", e.Message);
    }

    [Fact]
    public void TransientErrorsAreRetriedWithBackoffAndARetriedPutThatArrivedIsAccepted()
    {
        var failures = 0;
        var waits = new List<TimeSpan>();
        var settings = Settings(retries: 3, backoffSeconds: 2);
        var client = new SwiftClient(settings, t => { waits.Add(t); return Task.CompletedTask; },
            inner => new Rewrite(inner, r =>
            {
                // The first PUT of an object is stored, but its answer is lost (a 503 instead).
                if (r.RequestMessage?.Method == HttpMethod.Put && r.RequestMessage.RequestUri!.AbsolutePath.EndsWith("/obj", StringComparison.Ordinal) && r.StatusCode == HttpStatusCode.Created && Interlocked.Increment(ref failures) == 1)
                {
                    r.StatusCode = HttpStatusCode.ServiceUnavailable;
                }
            }));
        var store = new SwiftObjectStore(settings, client);
        store.PutContainer(_c);
        Put(store, _c, "obj", "data");
        Assert.Equal("data", Read(store, _c, "obj"));
        Assert.Equal(1, failures);
        Assert.Equal(new[] { TimeSpan.FromSeconds(2) }, waits);
        Assert.Equal(TimeSpan.FromSeconds(64), client.Backoff(10));
        Assert.Equal(TimeSpan.FromSeconds(8), client.Backoff(3));
    }

    [Fact]
    public void AnErrorAnswersBodyIsReadOnlyAsFarAsItsMessageNeeds()
    {
        long served = 0;
        var settings = Settings(retries: 0);
        var client = new SwiftClient(settings, _ => Task.CompletedTask, inner => new Rewrite(inner, r =>
        {
            // A 500 whose body goes on for 64 MiB (a proxy's or an attacker's): only its start may be read.
            if (r.RequestMessage?.Method == HttpMethod.Put && r.RequestMessage.RequestUri!.AbsolutePath.EndsWith("/obj", StringComparison.Ordinal))
            {
                r.StatusCode = HttpStatusCode.InternalServerError;
                r.Content = new StreamContent(new Counted(64 << 20, n => Interlocked.Add(ref served, n)));
            }
        }));
        var store = new SwiftObjectStore(settings, client);
        store.PutContainer(_c);
        var e = Assert.Throws<CinderBackupException>(() => Put(store, _c, "obj", "data"));
        Assert.Contains("failure text", e.Message);
        Assert.True(Interlocked.Read(ref served) <= 64 << 10, $"{served} bytes of the error body were read");
    }

    /// <summary>A body of <c>length</c> bytes of "failure text ", reporting what is read of it.</summary>
    private sealed class Counted : Stream
    {
        private static readonly byte[] Text = Encoding.ASCII.GetBytes("failure text ");
        private readonly long _length;
        private readonly Action<int> _read;
        private long _position;

        public Counted(long length, Action<int> read) => (_length, _read) = (length, read);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, _length - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = Text[(_position + i) % Text.Length];
            }
            _position += n;
            _read(n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Passes requests on and lets a test change the answers.</summary>
    private sealed class Rewrite : DelegatingHandler
    {
        private readonly Action<HttpResponseMessage> _change;

        public Rewrite(HttpMessageHandler inner, Action<HttpResponseMessage> change) : base(inner) => _change = change;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            _change(response);
            return response;
        }
    }
}
