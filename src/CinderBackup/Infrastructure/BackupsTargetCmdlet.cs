using System.Management.Automation;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>
/// Base of cmdlets acting on several backups, as the openstack client takes several ids: names or IDs (-Backup a,b,c,
/// also from the pipeline by value or by the BackupId or Id property) or piped <see cref="VolumeBackup"/>s
/// (-InputObject). Each is done on its own: a failure is reported and the rest still done.
/// </summary>
public abstract class BackupsTargetCmdlet : CinderBackupCmdlet
{
    protected const string ByBackup = "ByBackup";
    protected const string ByInputObject = "ByInputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByBackup, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("BackupId", "Id")]
    [ArgumentCompleter(typeof(BackupCompleter))]
    public string[] Backup { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ByInputObject, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public VolumeBackup[]? InputObject { get; set; }

    /// <summary>The names or IDs of this pipeline record's backups, in the order given.</summary>
    protected IReadOnlyList<string> TargetIds => InputObject is null ? Backup : InputObject.Select(b => b.Id).ToList();
}
