using System.Collections;
using System.Management.Automation;
using CinderBackup.Engine.Api;

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
        };
    }

    /// <summary>Runs one item's work; a failure is written as a non-terminating error so the pipeline continues.</summary>
    protected void Try(object? target, Action body)
    {
        try
        {
            body();
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

    protected static string Describe(BlockVolume v) => v.Name is { Length: > 0 } n ? $"{n} ({v.Id})" : v.Id;

    protected static string Describe(VolumeSnapshot s) => s.Name is { Length: > 0 } n ? $"{n} ({s.Id})" : s.Id;

    protected override void StopProcessing() => _stop.Cancel();

    public void Dispose()
    {
        _engine?.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
