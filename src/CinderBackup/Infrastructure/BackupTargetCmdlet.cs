using System.Management.Automation;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>
/// Base of cmdlets acting on one backup at a time: by name or ID (-Backup, also from the pipeline by value or by
/// the BackupId or Id property) or by a piped <see cref="VolumeBackup"/> (-InputObject).
/// </summary>
public abstract class BackupTargetCmdlet : CinderBackupCmdlet
{
    protected const string ByBackup = "ByBackup";
    protected const string ByInputObject = "ByInputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByBackup, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("BackupId", "Id")]
    [ArgumentCompleter(typeof(BackupCompleter))]
    public string Backup { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ByInputObject, ValueFromPipeline = true)]
    [ValidateNotNull]
    public VolumeBackup? InputObject { get; set; }

    protected string TargetId => InputObject?.Id ?? Backup;

    /// <summary>The backup as the catalog has it now (so ShouldProcess names it exactly).</summary>
    protected VolumeBackup ResolveTarget() => Engine.Backups.Get(TargetId);
}
