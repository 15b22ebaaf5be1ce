using System.Management.Automation;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Transfer;

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

    internal CinderBackupJob(string command, string name, EngineOptions options,
        Func<BackupEngine, IProgress<TransferProgress>, CancellationToken, object> work)
        : base(command, name)
    {
        PSJobTypeName = "CinderBackupJob";
        // Details of the job's operation go to the job's Verbose stream (Receive-Job -Verbose).
        _options = new EngineOptions
        {
            ConfigPath = options.ConfigPath,
            ProjectName = options.ProjectName,
            UserName = options.UserName,
            Admin = options.Admin,
            OverrideSource = options.OverrideSource,
            Environment = options.Environment,
            Detail = message => Verbose.Add(new VerboseRecord(message)),
        };
        _work = work;
    }

    public override string StatusMessage => _status;

    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Progress.Count > 0 || Verbose.Count > 0;

    public override string Location => Environment.MachineName;

    internal void Start()
    {
        SetJobState(JobState.Running);
        _status = "Running";
        Task.Run(() =>
        {
            try
            {
                using var engine = BackupEngine.Open(_options);
                var result = _work(engine, new JobProgress(this), _stop.Token);
                Output.Add(PSObject.AsPSObject(result));
                _status = "Completed";
                SetJobState(JobState.Completed);
            }
            catch (Exception e) when (_stop.IsCancellationRequested)
            {
                Error.Add(ErrorRecordFactory.Create(e));
                _status = "Stopped";
                SetJobState(JobState.Stopped);
            }
            catch (Exception e)
            {
                Error.Add(ErrorRecordFactory.Create(e));
                _status = e.Message;
                SetJobState(JobState.Failed);
            }
        });
    }

    public override void StopJob()
    {
        _stop.Cancel();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Progress records for the job, at most four a second.</summary>
    private sealed class JobProgress : IProgress<TransferProgress>
    {
        private readonly CinderBackupJob _job;
        private long _last;

        public JobProgress(CinderBackupJob job) => _job = job;

        public void Report(TransferProgress value)
        {
            var now = Environment.TickCount64;
            if (now - _last < 250 && value.BytesDone < value.BytesTotal)
            {
                return;
            }
            _last = now;
            var record = new ProgressRecord(0x0C1D, _job.Name, $"{value.BytesDone / 1048576.0:0} of {value.BytesTotal / 1048576.0:0} MiB")
            {
                PercentComplete = (int)Math.Clamp(value.Percent, 0, 100),
            };
            _job.Progress.Add(record);
            _job._status = $"{value.Percent:0}%";
        }
    }
}
