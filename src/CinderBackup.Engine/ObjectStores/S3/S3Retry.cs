using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace CinderBackup.Engine.ObjectStores.S3;

/// <summary>
/// Runs one S3 request, retrying transient failures (connection errors, timeouts, 5xx, 408, 429, throttling) with
/// exponential backoff and jitter, at most <c>backup_s3_retry_max_attempts</c> attempts in all. Each attempt has its
/// own timeout. Permanent failures (4xx) end at once. The SDK's own retries are off, so this is the only policy.
/// </summary>
internal sealed class S3Retry
{
    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private readonly int _attempts;
    private readonly Func<TimeSpan, Task> _delay;

    public S3Retry(int attempts, Func<TimeSpan, Task>? delay = null)
    {
        _attempts = Math.Max(1, attempts);
        _delay = delay ?? (t => Task.Delay(t));
    }

    public int MaxAttempts => _attempts;

    /// <summary>
    /// Runs <paramref name="operation"/> (given the attempt number and a token that fires after
    /// <paramref name="timeout"/>) until it succeeds, fails permanently, or runs out of attempts; then throws
    /// <see cref="S3RequestFailedException"/> with the last failure.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<int, CancellationToken, Task<T>> operation, TimeSpan timeout)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var cts = new CancellationTokenSource(timeout);
            Exception failure;
            try
            {
                return await operation(attempt, cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException && cts.IsCancellationRequested)
            {
                failure = new TimeoutException($"no answer within {timeout.TotalSeconds:0.#} s", e);
            }
            catch (Exception e)
            {
                failure = e;
            }
            var transient = IsTransient(failure);
            if (!transient || attempt >= _attempts)
            {
                throw new S3RequestFailedException(failure, attempt, transient);
            }
            await _delay(Backoff(attempt)).ConfigureAwait(false);
        }
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/>: 200 ms doubling up to 5 s, with jitter.</summary>
    public static TimeSpan Backoff(int attempt)
    {
        var ms = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(ms * (0.5 + Random.Shared.NextDouble() * 0.5));
    }

    public static bool IsTransient(Exception e)
    {
        if (e is TimeoutException)
        {
            return true;
        }
        if (e is AmazonServiceException service && service.StatusCode != 0)
        {
            var status = (int)service.StatusCode;
            return status >= 500 || service.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
                || service.ErrorCode is "RequestTimeout" or "SlowDown" or "Throttling" or "ThrottlingException" or "RequestTimeTooSkewed"
                    or "InternalError" or "ServiceUnavailable";
        }
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is HttpRequestException or IOException or SocketException or TimeoutException)
            {
                return true;
            }
        }
        return false;
    }
}
