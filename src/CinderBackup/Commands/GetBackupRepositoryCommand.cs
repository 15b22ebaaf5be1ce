using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;

namespace CinderBackup.Commands;

/// <summary>
/// Lists the configured backup repositories (posix, nfs, s3, ceph) and checks that each can be reached: an NFS share is
/// mounted if needed, an S3 bucket is looked up. It reads only the configuration, not the catalog.
/// </summary>
[Cmdlet(VerbsCommon.Get, "BackupRepository")]
[OutputType(typeof(BackupRepository))]
public sealed class GetBackupRepositoryCommand : CinderBackupCmdlet
{
    private readonly List<string> _patterns = new();

    [Parameter(Position = 0, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [Alias("Repository")]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public SwitchParameter SkipCheck { get; set; }

    protected override void ProcessRecord()
    {
        if (Name is not null)
        {
            _patterns.AddRange(Name);
        }
    }

    protected override void EndProcessing()
    {
        RepositoryApi api;
        try
        {
            api = new RepositoryApi(BackupEngine.LoadSettings(EngineOptions()).Config);
        }
        catch (Exception e)
        {
            ThrowTerminatingError(ErrorRecordFactory.Create(e));
            return;
        }
        var names = _patterns.Count == 0
            ? api.Names
            : NameFilter.Apply(api.Names, _patterns, n => n, n => n,
                missing => Try(missing, () => api.Get(missing, check: false))).ToList();
        foreach (var name in names)
        {
            Try(name, () => WriteObject(api.Get(name, check: !SkipCheck)));
        }
    }
}
