using System.Collections;
using System.Management.Automation;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Transfer;
using CinderBackup.Engine.Util;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>
/// Base of every cmdlet: opens the engine once per invocation with the session's context, owns the
/// cancellation that Ctrl+C (StopProcessing) triggers, and turns engine exceptions into ErrorRecords.
/// </summary>
public abstract class CinderBackupCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private BackupEngine? _engine;

    /// <summary>Cancelled when the user presses Ctrl+C.</summary>
    protected CancellationToken Cancellation => _stop.Token;

    /// <summary>The engine for this invocation; a failure to open it ends the whole call.</summary>
    protected BackupEngine Engine
    {
        get
        {
            if (_engine is null)
            {
                try
                {
                    _engine = BackupEngine.Open(EngineOptions());
                }
                catch (Exception e)
                {
                    ThrowTerminatingError(ErrorRecordFactory.Create(e));
                }
            }
            return _engine!;
        }
    }

    /// <summary>Engine options from the session context (Set-BackupContext), plus any per-call overrides.</summary>
    protected virtual EngineOptions EngineOptions()
    {
        var session = SessionContextStore.Current;
        return new EngineOptions
        {
            ConfigPath = session.ConfigPath,
            ProjectName = session.ProjectName,
            UserName = session.UserName,
            Admin = session.Admin,
            OverrideSource = "session",
            Detail = _details.Enqueue,
            S3Credential = SessionCredentialStore.Current?.GetNetworkCredential(),
        };
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _details = new();

    /// <summary>Writes queued engine detail messages as verbose records (on the pipeline thread).</summary>
    protected void FlushDetails()
    {
        while (_details.TryDequeue(out var message))
        {
            WriteVerbose(message);
        }
    }

    /// <summary>Runs one item's work; a failure is written as a non-terminating error so the pipeline continues.</summary>
    protected void Try(object? target, Action body)
    {
        try
        {
            body();
            FlushDetails();
        }
        catch (PipelineStoppedException)
        {
            throw;
        }
        catch (Exception e)
        {
            WriteError(ErrorRecordFactory.Create(e, target));
        }
    }

    /// <summary>
    /// Runs long engine work on a worker thread while the pipeline thread shows Write-Progress (percent, rate,
    /// time left; at most 4 updates a second; always completed). Ctrl+C cancels the work through
    /// <see cref="Cancellation"/>; all Write* calls stay on the pipeline thread.
    /// </summary>
    protected T RunWithProgress<T>(string activity, string status, Func<IProgress<TransferProgress>, CancellationToken, T> work)
    {
        var latest = new LatestProgress();
        var task = Task.Run(() => work(latest, Cancellation));
        var record = new ProgressRecord(ProgressActivityId, activity, status);
        var started = Environment.TickCount64;
        try
        {
            while (!task.Wait(250))
            {
                FlushDetails();
                if (latest.TryTake(out var p))
                {
                    record.PercentComplete = (int)Math.Clamp(p.Percent, 0, 100);
                    var seconds = Math.Max(0.001, (Environment.TickCount64 - started) / 1000.0);
                    var rate = p.BytesDone / seconds;
                    record.StatusDescription = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"{status}: {p.BytesDone / 1048576.0:0} of {p.BytesTotal / 1048576.0:0} MiB, {rate / 1e6:0.0} MB/s");
                    record.SecondsRemaining = rate > 0 ? (int)Math.Min(int.MaxValue, (p.BytesTotal - p.BytesDone) / rate) : -1;
                    WriteProgress(record);
                }
            }
            return task.GetAwaiter().GetResult();
        }
        finally
        {
            FlushDetails();
            record.RecordType = ProgressRecordType.Completed;
            WriteProgress(record);
        }
    }

    /// <summary>Starts a background job for -AsJob and writes it; the job opens its own engine with this call's identity.</summary>
    protected void StartJob(string name, Func<BackupEngine, IProgress<TransferProgress>, CancellationToken, object> work)
    {
        var job = new CinderBackupJob(MyInvocation.Line, name, EngineOptions(), work);
        JobRepository.Add(job);
        job.Start();
        WriteObject(job);
    }

    /// <summary>The file-system paths a -Path pattern (wildcards allowed) stands for; <paramref name="what"/> names it in errors.</summary>
    protected IReadOnlyList<string> ResolvePaths(string pattern, string what)
    {
        try
        {
            var paths = SessionState.Path.GetResolvedProviderPathFromPSPath(pattern, out var provider);
            if (provider.Name != "FileSystem")
            {
                throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument, $"The path '{pattern}' is not a file system path.", pattern);
            }
            return paths;
        }
        catch (ItemNotFoundException)
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.NotFound, $"The {what} '{pattern}' does not exist.", pattern);
        }
    }

    /// <summary>One file-system path: a -LiteralPath as typed, or a -Path pattern that must match exactly one item.</summary>
    protected string ResolvePath(string given, bool literal, string what)
    {
        if (literal)
        {
            return SessionState.Path.GetUnresolvedProviderPathFromPSPath(given);
        }
        var paths = ResolvePaths(given, what);
        return paths.Count == 1
            ? paths[0]
            : throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument,
                $"The path '{given}' matches {paths.Count} items; give exactly one {what}.", given);
    }

    /// <summary>Activity id of this module's progress bars.</summary>
    protected const int ProgressActivityId = 0x0C1D;

    protected static Dictionary<string, string>? ToDictionary(Hashtable? table)
    {
        if (table is null)
        {
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            result[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? ""] =
                Convert.ToString(entry.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }
        return result;
    }

    protected static string Describe(BlockVolume v) => v.Name is { Length: > 0 } n ? $"{PrintableText.Escape(n)} ({v.Id})" : v.Id;

    protected static string Describe(VolumeSnapshot s) => s.Name is { Length: > 0 } n ? $"{PrintableText.Escape(n)} ({s.Id})" : s.Id;

    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Keeps only the newest progress report for the pipeline thread to pick up.</summary>
    private sealed class LatestProgress : IProgress<TransferProgress>
    {
        private TransferProgress _value;
        private int _fresh;

        public void Report(TransferProgress value)
        {
            _value = value;
            Interlocked.Exchange(ref _fresh, 1);
        }

        public bool TryTake(out TransferProgress value)
        {
            value = _value;
            return Interlocked.Exchange(ref _fresh, 0) == 1;
        }
    }

    public void Dispose()
    {
        _engine?.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
