using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;

namespace CinderBackup.Commands;

/// <summary>Registers an existing image file, block device or RBD image as a volume. It is never deleted, truncated or grown.</summary>
[Cmdlet(VerbsLifecycle.Register, "BlockVolume", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(BlockVolume))]
public sealed class RegisterBlockVolumeCommand : CinderBackupCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string RbdSet = "Rbd";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>An existing RBD image, POOL/IMAGE, of the cluster rbd_ceph_conf names (opened as rbd_user).</summary>
    [Parameter(Mandatory = true, ParameterSetName = RbdSet)]
    [ValidateNotNullOrEmpty]
    public string Rbd { get; set; } = "";

    [Parameter]
    public string? Description { get; set; }

    [Parameter]
    public string? AvailabilityZone { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == RbdSet)
        {
            Try(Rbd, () =>
            {
                if (Confirmed("rbd:" + Rbd, $"Register as volume '{Name}'"))
                {
                    WriteObject(Engine.Volumes.RegisterRbd(Name, Rbd, Description, AvailabilityZone));
                }
            });
            return;
        }
        var given = ParameterSetName == PathSet ? Path : LiteralPath;
        Try(given, () =>
        {
            var resolved = ResolvePath(given, ParameterSetName == LiteralPathSet, "path");
            if (!Confirmed(resolved, $"Register as volume '{Name}'"))
            {
                return;
            }
            WriteObject(Engine.Volumes.Register(Name, resolved, Description, AvailabilityZone));
        });
    }
}
