using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// Watches a running operation from its own catalog connection: about once a second it records progress,
/// rate and a heartbeat on the backup row (so any session sees them), and reads the row's status; a status
/// that means "stop" (a force delete during a backup, a status change during a restore) cancels the work,
/// as Cinder's per-chunk checks do. Given its owner, it also stops the work when the operation is no longer that
/// owner's (<see cref="LostClaim"/>): a host paused past service_down_time was judged gone and a peer took it over.
/// </summary>
internal sealed class OperationMonitor : IDisposable
{
    private readonly Config.EngineConfig _config;
    private readonly string _backupId;
    private readonly Func<string?, bool> _stopWhen;
    private readonly CancellationTokenSource _cts;
    private readonly Timer _timer;
    private readonly object _gate = new();
    private readonly IProgress<TransferProgress>? _forward;
    private readonly Action<Db, TransferProgress>? _onTick;
    private readonly Catalog.OperationOwner? _owner;
    private ICatalog? _catalog;
    private TransferProgress _latest;
    private volatile bool _reported;
    private long _lastBytes;
    private long _lastTick = Environment.TickCount64;
    private double _rate;
    private bool _disposed;

    public OperationMonitor(Config.EngineConfig config, string backupId, Func<string?, bool> stopWhen,
        IProgress<TransferProgress>? forward, CancellationToken external, int intervalMs = 1000, Action<Db, TransferProgress>? onTick = null,
        Catalog.OperationOwner? owner = null)
    {
        _onTick = onTick;
        _owner = owner;
        _config = config;
        _backupId = backupId;
        _stopWhen = stopWhen;
        _forward = forward;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(external);
        Progress = new Reporter(this);
        _timer = new Timer(_ => Tick(), null, intervalMs, intervalMs);
    }

    public CancellationToken Token => _cts.Token;

    /// <summary>True when the work was stopped because the row's status asked for it.</summary>
    public bool StoppedByStatus { get; private set; }

    /// <summary>True when the operation was taken from its owner (a peer's clean-up) while it ran: the work stops and records nothing.</summary>
    public bool LostClaim { get; private set; }

    /// <summary>The status that stopped the work.</summary>
    public string? StopStatus { get; private set; }

    public IProgress<TransferProgress> Progress { get; }

    /// <summary>Checks the status now (before the first piece of work, and at the end).</summary>
    public void CheckNow() => Tick();

    private void Tick()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            try
            {
                _catalog ??= CatalogOpener.Open(_config);
                var now = Environment.TickCount64;
                var p = _latest;
                if (now > _lastTick)
                {
                    var instant = (p.BytesDone - _lastBytes) * 1000.0 / (now - _lastTick);
                    _rate = _rate == 0 ? instant : 0.5 * _rate + 0.5 * instant;
                }
                _lastBytes = p.BytesDone;
                _lastTick = now;
                var reported = _reported;
                var (status, mine) = _catalog.Write(db =>
                {
                    if (reported)
                    {
                        BackupTable.SetProgress(db, _backupId, p.BytesDone, p.BytesTotal, Math.Max(0, _rate));
                    }
                    else
                    {
                        BackupTable.Touch(db, _backupId);
                    }
                    _onTick?.Invoke(db, p);
                    return (BackupTable.Status(db, _backupId), _owner is null || OperationClaims.IsOwnedBy(db, _backupId, _owner));
                });
                if (!mine && status is not null && !_stopWhen(status) && !_cts.IsCancellationRequested)
                {
                    LostClaim = true;
                    _cts.Cancel();
                }
                else if (_stopWhen(status) && !_cts.IsCancellationRequested)
                {
                    StoppedByStatus = true;
                    StopStatus = status;
                    _cts.Cancel();
                }
            }
            catch (Errors.CinderBackupException)
            {
                // A busy catalog only delays the heartbeat; the next tick tries again.
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }
        _timer.Dispose();
        _catalog?.Dispose();
        _cts.Dispose();
    }

    private sealed class Reporter : IProgress<TransferProgress>
    {
        private readonly OperationMonitor _owner;

        public Reporter(OperationMonitor owner) => _owner = owner;

        public void Report(TransferProgress value)
        {
            _owner._latest = value;
            _owner._reported = true;
            _owner._forward?.Report(value);
        }
    }
}
