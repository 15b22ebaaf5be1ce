using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using CinderBackup.Engine.ObjectStores.S3;

namespace CinderBackup.Engine.Tests;

/// <summary>The S3 retry policy with fake requests and recorded (not slept) backoff.</summary>
public sealed class S3RetryTests
{
    private readonly List<TimeSpan> _waits = new();

    private S3Retry Retry(int attempts) => new(attempts, t =>
    {
        _waits.Add(t);
        return Task.CompletedTask;
    });

    private static AmazonS3Exception Http(HttpStatusCode status, string code) =>
        new("fake", null, ErrorType.Sender, code, "req", status);

    [Fact]
    public async Task ATransientFailureIsRetriedWithGrowingBackoff()
    {
        var calls = 0;
        var result = await Retry(4).RunAsync<int>((attempt, _) =>
        {
            calls++;
            Assert.Equal(calls, attempt);
            return calls switch
            {
                1 => throw new HttpRequestException("Connection refused"),
                2 => throw Http(HttpStatusCode.ServiceUnavailable, "SlowDown"),
                _ => Task.FromResult(42),
            };
        }, TimeSpan.FromSeconds(5));
        Assert.Equal(42, result);
        Assert.Equal(3, calls);
        Assert.Equal(2, _waits.Count);
        Assert.InRange(_waits[0].TotalMilliseconds, 100, 200);
        Assert.InRange(_waits[1].TotalMilliseconds, 200, 400);
    }

    [Fact]
    public async Task APersistentFailureEndsAfterTheConfiguredAttempts()
    {
        var calls = 0;
        var e = await Assert.ThrowsAsync<S3RequestFailedException>(() => Retry(4).RunAsync<int>((_, _) =>
        {
            calls++;
            throw Http(HttpStatusCode.InternalServerError, "InternalError");
        }, TimeSpan.FromSeconds(5)));
        Assert.Equal(4, calls);
        Assert.Equal(4, e.Attempts);
        Assert.True(e.Transient);
        Assert.IsType<AmazonS3Exception>(e.Last);
        Assert.Equal(3, _waits.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "SignatureDoesNotMatch")]
    [InlineData(HttpStatusCode.NotFound, "NoSuchBucket")]
    [InlineData(HttpStatusCode.BadRequest, "InvalidBucketName")]
    public async Task PermanentFailuresAreNotRetried(HttpStatusCode status, string code)
    {
        var calls = 0;
        var e = await Assert.ThrowsAsync<S3RequestFailedException>(() => Retry(4).RunAsync<int>((_, _) =>
        {
            calls++;
            throw Http(status, code);
        }, TimeSpan.FromSeconds(5)));
        Assert.Equal(1, calls);
        Assert.False(e.Transient);
        Assert.Empty(_waits);
    }

    [Fact]
    public async Task AnAttemptThatHangsTimesOutAndIsRetried()
    {
        var calls = 0;
        var e = await Assert.ThrowsAsync<S3RequestFailedException>(() => Retry(2).RunAsync<int>(async (_, ct) =>
        {
            calls++;
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }, TimeSpan.FromMilliseconds(50)));
        Assert.Equal(2, calls);
        Assert.IsType<TimeoutException>(e.Last);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "", true)]
    [InlineData(HttpStatusCode.TooManyRequests, "", true)]
    [InlineData(HttpStatusCode.RequestTimeout, "RequestTimeout", true)]
    [InlineData(HttpStatusCode.BadRequest, "RequestTimeout", true)]
    [InlineData(HttpStatusCode.Forbidden, "AccessDenied", false)]
    [InlineData(HttpStatusCode.Conflict, "BucketAlreadyOwnedByYou", false)]
    public void TransientClassification(HttpStatusCode status, string code, bool transient) =>
        Assert.Equal(transient, S3Retry.IsTransient(Http(status, code)));

    [Fact]
    public void BackoffGrowsAndIsCapped()
    {
        Assert.InRange(S3Retry.Backoff(1).TotalMilliseconds, 100, 200);
        Assert.InRange(S3Retry.Backoff(3).TotalMilliseconds, 400, 800);
        Assert.InRange(S3Retry.Backoff(30).TotalMilliseconds, 2500, 5000);
    }
}
