using System.Management.Automation;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>
/// A background job for -AsJob: the operation (already prepared, so its backup is visible as creating or
/// restoring) runs on a worker thread with its own engine; progress goes to the job's Progress stream, the
/// result to Output, a failure to Error. Stop-Job cancels it like Ctrl+C.
/// </summary>
public sealed class CinderBackupJob : Job
{
    private readonly CancellationTokenSource _stop = new();
    private readonly EngineOptions _options;
    private readonly Func<BackupEngine, IProgress<TransferProgress>, CancellationToken, object> _work;
    private string _status = "Not started";
    private Task? _task;

    internal CinderBackupJob(string command, string name, EngineOptions options,
        Func<BackupEngine, IProgress<TransferProgress>, CancellationToken, object> work)
        : base(command, name)
    {
        PSJobTypeName = "CinderBackupJob";
        // Details of the job's operation go to the job's Verbose stream (Receive-Job -Verbose).
        // The identity, config and S3 credential were captured on the pipeline thread; only the detail sink changes.
        _options = options with { Detail = message => Verbose.Add(new VerboseRecord(message)) }; // a copy: no field can be dropped
        _work = work;
    }

    public override string StatusMessage => _status;

    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Progress.Count > 0 || Verbose.Count > 0;

    public override string Location => Environment.MachineName;

    internal void Start()
    {
        SetJobState(JobState.Running);
        _status = "Running";
        _task = Task.Run(() =>
        {
            var progress = new JobProgress(this);
            try
            {
                using var engine = BackupEngine.Open(_options);
                var result = _work(engine, progress, _stop.Token);
                progress.Complete();
                Output.Add(PSObject.AsPSObject(result));
                _status = "Completed";
                SetJobState(JobState.Completed);
            }
            catch (Exception e)
            {
                progress.Complete();
                Error.Add(ErrorRecordFactory.Create(e));
                _status = _stop.IsCancellationRequested ? "Stopped" : e.Message;
                SetJobState(_stop.IsCancellationRequested ? JobState.Stopped : JobState.Failed);
            }
        });
    }

    /// <summary>
    /// Stop-Job: cancels the operation and returns once the engine has finished cancelling (the backup force-deleted,
    /// the restore's volume in error), so nothing is left creating or restoring behind the caller's back.
    /// </summary>
    public override void StopJob()
    {
        _stop.Cancel();
        ((IAsyncResult?)_task)?.AsyncWaitHandle.WaitOne();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Progress records for the job: a new one per update, at most four a second, and a final Completed one.</summary>
    private sealed class JobProgress : IProgress<TransferProgress>
    {
        private readonly CinderBackupJob _job;
        private readonly long _started = Environment.TickCount64;
        private readonly object _gate = new();
        private long _last;
        private ProgressRecord? _latest;

        public JobProgress(CinderBackupJob job) => _job = job;

        public void Report(TransferProgress value)
        {
            lock (_gate)
            {
                var now = Environment.TickCount64;
                if (now - _last < CinderBackupCmdlet.ProgressIntervalMs)
                {
                    return;
                }
                _last = now;
                _latest = CinderBackupCmdlet.ProgressUpdate(_job.Name, "", value, now - _started);
                _job.Progress.Add(_latest);
                _job._status = $"{value.Percent:0}%";
            }
        }

        public void Complete()
        {
            lock (_gate)
            {
                _job.Progress.Add(CinderBackupCmdlet.ProgressCompleted(_latest ?? new ProgressRecord(CinderBackupCmdlet.ProgressActivityId, _job.Name, "done")));
            }
        }
    }
}
