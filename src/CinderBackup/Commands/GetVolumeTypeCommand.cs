using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Lists volume types, filtered by name or ID (wildcards allowed), or the type of a piped volume.</summary>
[Cmdlet(VerbsCommon.Get, "VolumeType")]
[OutputType(typeof(VolumeType))]
public sealed class GetVolumeTypeCommand : CinderBackupCmdlet
{
    private bool _nameOnCommandLine;

    /// <summary>Names or IDs (wildcards allowed); binds from strings on the pipeline ('io1' | Get-VolumeType).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>The type of a piped volume (its VolumeType property), by name or ID.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? VolumeType { get; set; }

    // Only what the command line bound is set here, before any pipeline input.
    protected override void BeginProcessing() => _nameOnCommandLine = Name is not null;

    protected override void ProcessRecord()
    {
        if (VolumeType is not null && !_nameOnCommandLine)
        {
            // A piped volume also binds -Name, through its ToString() (the volume's name): ignore that.
            Name = null;
        }
        IReadOnlyList<VolumeType> types;
        try
        {
            types = Engine.VolumeTypes.List();
        }
        catch (Exception e)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(e));
            return;
        }
        var patterns = VolumeType ?? Name;
        if (patterns is null)
        {
            WriteObject(types, enumerateCollection: true);
            return;
        }
        // A name or ID that matches nothing gets the engine's own VolumeTypeNotFound error (Cinder's text).
        var matches = NameFilter.Apply(types, patterns, t => t.Name, t => t.Id, pattern => Try(pattern, () => Engine.VolumeTypes.Get(pattern)));
        WriteObject(matches.ToList(), enumerateCollection: true);
    }
}
