using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands;

/// <summary>Shows the identity and configuration the session's calls run with.</summary>
[Cmdlet(VerbsCommon.Get, "BackupContext")]
[OutputType(typeof(BackupContext))]
public sealed class GetBackupContextCommand : CinderBackupCmdlet
{
    protected override void EndProcessing()
    {
        try
        {
            WriteObject(BackupEngine.LoadSettings(EngineOptions()).Context);
        }
        catch (Exception e)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(e));
        }
    }
}
