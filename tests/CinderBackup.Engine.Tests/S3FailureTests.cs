using System.Diagnostics;
using System.Text.RegularExpressions;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Tests;

/// <summary>S3 repositories when things go wrong: outages, retries, timeouts, wrong or missing credentials.</summary>
[Collection("moto")]
public sealed class S3FailureTests : IDisposable
{
    private readonly MotoServer _moto;
    private readonly TempHome _home = new();

    public S3FailureTests(MotoFixture moto) => _moto = moto.Server;

    public void Dispose() => _home.Dispose();

    /// <summary>Reports progress synchronously on the backup's own thread.</summary>
    private sealed class OnProgress : IProgress<TransferProgress>
    {
        private readonly Action<TransferProgress> _action;

        public OnProgress(Action<TransferProgress> action) => _action = action;

        public void Report(TransferProgress value) => _action(value);
    }

    [Fact]
    public void TheServerStoppingMidBackupLeavesAnErrorBackupAndAConsistentCatalog()
    {
        using var moto = new MotoServer();
        var bucket = S3Home.Bucket("outage");
        // Credentials from the file this time: they must not leak into the catalog, the log or the reason.
        var secret = "outage-secret-" + Guid.NewGuid().ToString("N");
        var access = "AKOUTAGE" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        S3Home.Configure(_home, moto.Endpoint, bucket,
            $"backup_s3_retry_max_attempts: 2\nbackup_s3_store_access_key: {access}\nbackup_s3_store_secret_key: {secret}");
        _home.Set("AWS_ACCESS_KEY_ID", null).Set("AWS_SECRET_ACCESS_KEY", null);
        File.SetUnixFileMode(_home.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "outage");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions
        {
            Volume = v.Id,
            Name = "interrupted",
            Progress = new OnProgress(_ => moto.Stop()),
        }));
        Assert.Equal(ErrorIds.BackupFailed, e.ErrorId);
        Assert.Contains("does not answer", e.Message);

        var b = Assert.Single(engine.Backups.List());
        Assert.Equal("error", b.Status);
        Assert.Contains("Repository 'default' (s3", b.FailReason);
        Assert.Null(b.ProgressPercent); // no operation left running
        var volume = engine.Volumes.Get(v.Id);
        Assert.Equal("available", volume.Status);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_home.Home, "tmp"), "*", SearchOption.AllDirectories));

        foreach (var file in new[] { _home.CatalogPath, Path.Combine(_home.Home, "cinder-backup.log") }.Where(f => _home.Database is null || f != _home.CatalogPath))
        {
            var bytes = File.ReadAllText(file, System.Text.Encoding.Latin1);
            Assert.DoesNotContain(secret, bytes);
            Assert.DoesNotContain(access, bytes);
        }
        if (_home.Database is { } database)
        {
            // A PostgreSQL catalog: every row of the tables that hold text from a failure.
            var rows = PostgresServer.Shared.Sql(database,
                "SELECT string_agg(t::text, E'\\n') FROM (SELECT b::text AS t FROM backups b UNION ALL SELECT v::text FROM volumes v) x");
            Assert.DoesNotContain(secret, rows);
            Assert.DoesNotContain(access, rows);
        }
        Assert.DoesNotContain(secret, e.ToString());
        Assert.DoesNotContain(access, e.ToString());
        // Deleting needs the server: while it is down the delete fails cleanly and the backup stays in error.
        var d = Assert.Throws<CinderBackupException>(() => engine.Backups.Delete(b.Id));
        Assert.Equal(ErrorIds.RepositoryUnavailable, d.ErrorId);
        Assert.Equal("error", engine.Backups.Get(b.Id).Status);
    }

    [Fact]
    public void ATransientServerErrorIsRetriedAndTheBackupSucceeds()
    {
        using var proxy = new FaultProxy(_moto.Port);
        S3Home.Configure(_home, proxy.Endpoint, S3Home.Bucket("transient"), "backup_s3_retry_max_attempts: 3");
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "transient");
        proxy.FailNext(2);
        var b = engine.Backups.Create(new BackupCreateOptions { Volume = v.Id });
        Assert.Equal("available", b.Status);
        Assert.Equal(2, proxy.Injected);
        Assert.True(engine.Backups.Verify(b.Id, deep: true).IsValid);
    }

    [Fact]
    public void APersistentServerErrorFailsCleanlyAfterTheConfiguredAttempts()
    {
        using var proxy = new FaultProxy(_moto.Port) { FailAll = true };
        S3Home.Configure(_home, proxy.Endpoint, S3Home.Bucket("persistent"), "backup_s3_retry_max_attempts: 3");
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "persistent");
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
        Assert.Equal(ErrorIds.RepositoryUnavailable, e.ErrorId);
        Assert.Contains("after 3 attempts: the server answered ServiceUnavailable (HTTP 503)", e.Message);
        Assert.Equal(3, proxy.Injected);
        Assert.Empty(engine.Backups.List());
        Assert.Equal("available", engine.Volumes.Get(v.Id).Status);
    }

    [Fact]
    public void AServerThatDoesNotAnswerTimesOut()
    {
        using var proxy = new FaultProxy(_moto.Port) { Hang = true };
        S3Home.Configure(_home, proxy.Endpoint, S3Home.Bucket("hang"), "backup_s3_retry_max_attempts: 2\nbackup_s3_timeout: 1");
        using var engine = S3Home.Open(_home);
        var v = S3Home.Volume(engine, _home, "hang");
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<CinderBackupException>(() => engine.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
        Assert.Equal(ErrorIds.RepositoryUnavailable, e.ErrorId);
        Assert.Contains("after 2 attempts", e.Message);
        Assert.Contains("gave no answer within 1 s", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), watch.Elapsed.ToString());
        Assert.Empty(engine.Backups.List());
        var listed = new RepositoryApi(engine.Config).Get("default");
        Assert.False(listed.Reachable);
        Assert.Contains("gave no answer", listed.Problem);
    }

    [Fact]
    public void WrongCredentialsAreRefusedWithAClearErrorThatHidesThem()
    {
        using var moto = new MotoServer(noAuthActions: 3);
        var user = moto.Post("Action=CreateUser&UserName=backup&Version=2010-05-08");
        Assert.Contains("<UserName>backup</UserName>", user);
        var key = moto.Post("Action=CreateAccessKey&UserName=backup&Version=2010-05-08");
        var access = Regex.Match(key, "<AccessKeyId>(.*?)</AccessKeyId>").Groups[1].Value;
        var secret = Regex.Match(key, "<SecretAccessKey>(.*?)</SecretAccessKey>").Groups[1].Value;
        var policy = Uri.EscapeDataString("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
        moto.Post($"Action=PutUserPolicy&UserName=backup&PolicyName=s3&PolicyDocument={policy}&Version=2010-05-08");
        var bucket = S3Home.Bucket("auth");

        S3Home.Configure(_home, moto.Endpoint, bucket);
        using (var engine = EngineFactory.Open(_home, "p1", "u1", admin: true))
        {
            var v = S3Home.Volume(engine, _home, "auth");
            foreach (var (badAccess, badSecret, code) in new[] { (access, "wrong-secret-key-0000", "SignatureDoesNotMatch"), ("AKIAUNKNOWNKEY000000", secret, "InvalidAccessKeyId") })
            {
                _home.Set("AWS_ACCESS_KEY_ID", badAccess).Set("AWS_SECRET_ACCESS_KEY", badSecret);
                using var wrong = EngineFactory.Open(_home, "p1", "u1", admin: true);
                var e = Assert.Throws<CinderBackupException>(() => wrong.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
                Assert.Equal(ErrorIds.RepositoryAccessDenied, e.ErrorId);
                Assert.True(e.Message.Contains($"Repository 'default' (s3, {moto.Endpoint}): checking the bucket '{bucket}' failed: access was refused: {code}"), e.Message);
                Assert.Contains("Check the S3 credentials (taken from the environment)", e.Message);
                Assert.DoesNotContain(badSecret, e.ToString());
                Assert.DoesNotContain(badAccess, e.Message);
                Assert.Empty(wrong.Backups.List());
                var probe = new RepositoryApi(wrong.Config).Get("default");
                Assert.False(probe.Reachable);
                Assert.Contains(code, probe.Problem);
            }
        }
        _home.Set("AWS_ACCESS_KEY_ID", access).Set("AWS_SECRET_ACCESS_KEY", secret);
        using var right = EngineFactory.Open(_home, "p1", "u1", admin: true);
        var ok = new RepositoryApi(right.Config).Get("default");
        Assert.True(ok.Reachable, ok.Problem);
        Assert.Equal("environment", ok.CredentialSource);
    }

    [Fact]
    public void CredentialsComeFromTheSessionTheFileOrTheEnvironment()
    {
        S3Home.Configure(_home, _moto.Endpoint, S3Home.Bucket("creds"));
        _home.Set("AWS_ACCESS_KEY_ID", null).Set("AWS_SECRET_ACCESS_KEY", null);
        using (var none = EngineFactory.Open(_home))
        {
            var v = S3Home.Volume(none, _home, "creds");
            var e = Assert.Throws<CinderBackupException>(() => none.Backups.Create(new BackupCreateOptions { Volume = v.Id }));
            Assert.Equal(ErrorIds.RepositoryAccessDenied, e.ErrorId);
            Assert.StartsWith("Repository 'default' (s3): no S3 credentials.", e.Message);
            Assert.Empty(none.Backups.List());
        }

        var options = EngineFactory.Options(_home);
        using (var session = BackupEngine.Open(new EngineOptions
        {
            Environment = options.Environment,
            S3Credential = new System.Net.NetworkCredential(MotoServer.AccessKey, MotoServer.SecretKey),
        }))
        {
            var repo = new RepositoryApi(session.Config).Get("default");
            Assert.Equal("session", repo.CredentialSource);
            Assert.True(repo.Reachable, repo.Problem);
            var b = session.Backups.Create(new BackupCreateOptions { Volume = "creds" });
            Assert.Equal("available", b.Status);
        }

        _home.Set("AWS_ACCESS_KEY_ID", MotoServer.AccessKey).Set("AWS_SECRET_ACCESS_KEY", MotoServer.SecretKey);
        using (var env = EngineFactory.Open(_home))
        {
            Assert.Equal("environment", new RepositoryApi(env.Config).Get("default", check: false).CredentialSource);
        }
    }
}
