using System.Management.Automation;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>
/// Base of cmdlets acting on one volume at a time: by name or ID (-Volume, also from the pipeline by value or
/// by the VolumeId property) or by a piped <see cref="BlockVolume"/> (-InputObject).
/// </summary>
public abstract class VolumeTargetCmdlet : CinderBackupCmdlet
{
    protected const string ByVolume = "ByVolume";
    protected const string ByInputObject = "ByInputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByVolume, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("VolumeId")]
    [ArgumentCompleter(typeof(VolumeCompleter))]
    public string Volume { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ByInputObject, ValueFromPipeline = true)]
    [ValidateNotNull]
    public BlockVolume? InputObject { get; set; }

    /// <summary>The target resolved against the catalog (so ShouldProcess names it exactly).</summary>
    protected BlockVolume ResolveTarget() => Engine.Volumes.Get(InputObject?.Id ?? Volume);

    protected object TargetName => (object?)InputObject?.Id ?? Volume;
}
