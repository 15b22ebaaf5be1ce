using System.Collections;
using System.Management.Automation;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Pipeline;
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

    /// <summary>
    /// Engine options: the session context (Set-BackupContext) with the per-call identity of
    /// <see cref="IdentityOverride"/>. Read on the pipeline thread only: Runspace.DefaultRunspace, which keys the
    /// session's context, is null on worker threads, where the default identity (an admin) would apply instead.
    /// </summary>
    protected EngineOptions EngineOptions()
    {
        var (project, user) = IdentityOverride;
        return SessionOptions.Current(_details.Enqueue, project, user);
    }

    /// <summary>-ProjectName/-UserName of this call, for the cmdlets that take them.</summary>
    protected virtual (string? ProjectName, string? UserName) IdentityOverride => (null, null);

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
    /// time left; a new record at most 4 times a second; always a final Completed record). The engine is opened
    /// first, here, as the session's identity. A failure surfaces as the engine's own exception, never an
    /// AggregateException. Ctrl+C (StopProcessing) cancels the work, and the cmdlet returns only once the engine
    /// has finished cancelling, so the backup and volume are left exactly as after a cancel.
    /// </summary>
    protected T RunWithProgress<T>(string activity, string status, Func<IProgress<TransferProgress>, CancellationToken, T> work)
    {
        _ = Engine; // opened here, on the pipeline thread, as the session's identity
        var latest = new LatestProgress();
        var task = Task.Run(() => work(latest, Cancellation));
        var done = ((IAsyncResult)task).AsyncWaitHandle;
        var started = Environment.TickCount64;
        var last = new ProgressRecord(ProgressActivityId, activity, status);
        try
        {
            while (!done.WaitOne(ProgressIntervalMs))
            {
                FlushDetails();
                if (latest.TryTake(out var p))
                {
                    last = ProgressUpdate(activity, status, p, Environment.TickCount64 - started);
                    WriteProgress(last);
                }
            }
            return task.GetAwaiter().GetResult();
        }
        finally
        {
            if (!task.IsCompleted)
            {
                // The pipeline is stopping (Ctrl+C, PowerShell.Stop): let the engine finish its cancel first.
                _stop.Cancel();
                done.WaitOne();
            }
            _ = task.Exception; // observed: it was rethrown above, or the pipeline was stopped
            if (!Stopping)
            {
                FlushDetails();
                WriteProgress(ProgressCompleted(last));
            }
        }
    }

    /// <summary>Milliseconds between two progress records (about 4 a second).</summary>
    internal const int ProgressIntervalMs = 250;

    /// <summary>A new record per update: hosts and jobs keep the instances they are given.</summary>
    internal static ProgressRecord ProgressUpdate(string activity, string status, TransferProgress p, long elapsedMs)
    {
        var seconds = Math.Max(0.001, elapsedMs / 1000.0);
        var rate = p.BytesDone / seconds;
        var prefix = status.Length > 0 ? status + ": " : "";
        return new ProgressRecord(ProgressActivityId, activity, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{prefix}{p.BytesDone / 1048576.0:0} of {p.BytesTotal / 1048576.0:0} MiB, {rate / 1e6:0.0} MB/s"))
        {
            PercentComplete = (int)Math.Clamp(p.Percent, 0, 100),
            SecondsRemaining = rate > 0 ? (int)Math.Min(int.MaxValue, (p.BytesTotal - p.BytesDone) / rate) : -1,
        };
    }

    internal static ProgressRecord ProgressCompleted(ProgressRecord last) =>
        new(last.ActivityId, last.Activity, last.StatusDescription)
        {
            PercentComplete = last.PercentComplete,
            RecordType = ProgressRecordType.Completed,
        };

    /// <summary>
    /// ShouldProcess for a host that may not be able to prompt (pwsh -NonInteractive, no stdin, a hosted runspace):
    /// when a confirmation would be asked there, the call fails with ConfirmationRequired naming -Confirm:$false
    /// instead of a host exception or a read from a closed input.
    /// </summary>
    protected bool Confirmed(string target, string action)
    {
        var refusal = () => new CinderBackupException(ErrorIds.ConfirmationRequired, ErrorKind.InvalidState,
            $"{action} on '{target}' needs confirmation and this session cannot ask for it: add -Confirm:$false to go ahead.");
        if (!CanPrompt && WouldAskToConfirm())
        {
            throw refusal();
        }
        try
        {
            return ShouldProcess(target, action);
        }
        catch (Exception e) when (IsPromptFailure(e))
        {
            throw refusal();
        }
    }

    /// <summary>
    /// <see cref="Confirmed"/>, except that <paramref name="force"/> skips the question where there is nothing to force
    /// (Remove-VolumeType): -WhatIf still only tells, and an explicit -Confirm still asks.
    /// </summary>
    protected bool ConfirmedUnlessForced(bool force, string target, string action)
    {
        var bound = MyInvocation.BoundParameters;
        var whatIf = (bound.TryGetValue("WhatIf", out var w) && LanguagePrimitives.IsTrue(w)) || LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        if (!force || whatIf || bound.ContainsKey("Confirm"))
        {
            return Confirmed(target, action);
        }
        WriteVerbose($"{action} on '{target}' (-Force: not asking).");
        return true;
    }

    /// <summary>
    /// The extra question that -Force skips (Cinder's --force: an attached volume, a volume to overwrite, ...). A host
    /// that cannot prompt gets <paramref name="refusal"/>, an error that names -Force, and nothing is changed.
    /// </summary>
    protected bool ForceOrConfirm(bool force, string query, string caption, Func<CinderBackupException> refusal)
    {
        if (force)
        {
            return true;
        }
        if (!CanPrompt)
        {
            throw refusal();
        }
        try
        {
            return ShouldContinue(query, caption);
        }
        catch (Exception e) when (IsPromptFailure(e))
        {
            throw refusal();
        }
    }

    /// <summary>False when the console host's input is redirected or closed: a prompt would read EOF or another file.</summary>
    private bool CanPrompt => !(Host?.Name == "ConsoleHost" && Console.IsInputRedirected);

    /// <summary>What ShouldProcess decides about prompting (-Confirm, -WhatIf, $ConfirmPreference against ConfirmImpact).</summary>
    private bool WouldAskToConfirm()
    {
        var bound = MyInvocation.BoundParameters;
        if ((bound.TryGetValue("WhatIf", out var w) && LanguagePrimitives.IsTrue(w)) || LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")))
        {
            return false;
        }
        if (bound.TryGetValue("Confirm", out var c))
        {
            return LanguagePrimitives.IsTrue(c);
        }
        var impact = (Attribute.GetCustomAttribute(GetType(), typeof(CmdletAttribute)) as CmdletAttribute)?.ConfirmImpact ?? ConfirmImpact.Medium;
        var preference = LanguagePrimitives.TryConvertTo<ConfirmImpact>(GetVariableValue("ConfirmPreference"), out var p) ? p : ConfirmImpact.High;
        return preference != ConfirmImpact.None && impact >= preference;
    }

    /// <summary>How hosts refuse a prompt: -NonInteractive, a host without a UI, a UI that does not implement it.</summary>
    private static bool IsPromptFailure(Exception e) =>
        e is PSInvalidOperationException or System.Management.Automation.Host.HostException or PSNotImplementedException or NotImplementedException;

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
    internal const int ProgressActivityId = 0x0C1D;

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

    protected static string Describe(VolumeBackup b) =>
        (b.Name is { Length: > 0 } n ? $"{PrintableText.Escape(n)} ({b.Id})" : b.Id) + $" of volume {b.VolumeId}";

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
