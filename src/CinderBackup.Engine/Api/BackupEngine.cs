using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Hashing;
using CinderBackup.Engine.Operations;
using CinderBackup.Engine.Rules;

namespace CinderBackup.Engine.Api;

/// <summary>
/// The engine facade. A front end opens one per call (or per session), makes its call through one of the
/// area APIs, and disposes it. Opening loads the configuration, resolves the identity and opens (and, when
/// needed, migrates) the catalog.
/// </summary>
public sealed class BackupEngine : IDisposable
{
    private BackupEngine(EngineConfig config, BackupContext context, ICatalog catalog, EngineOptions options)
    {
        Session = new EngineSession(config, context, catalog, options.Detail);
        Volumes = new VolumeApi(this);
        Snapshots = new SnapshotApi(this);
        Backups = new BackupApi(this);
        Quotas = new QuotaApi(this);
        VolumeTypes = new VolumeTypeApi(this);
        Services = new ServiceApi(this);
        Records = new RecordApi(this);
        CatalogFile = new CatalogApi(this);
    }

    public EngineConfig Config => Session.Config;

    public BackupContext Context => Session.Context;

    public VolumeApi Volumes { get; }

    public SnapshotApi Snapshots { get; }

    public BackupApi Backups { get; }

    public QuotaApi Quotas { get; }

    public VolumeTypeApi VolumeTypes { get; }

    public ServiceApi Services { get; }

    /// <summary>Record export, import of record sets and files, discovery from a repository.</summary>
    public RecordApi Records { get; }

    /// <summary>Backup and restore of the catalog itself.</summary>
    public CatalogApi CatalogFile { get; }

    /// <summary>Schema version of the open catalog.</summary>
    public int CatalogSchemaVersion => Catalog.SchemaVersion;

    internal ICatalog Catalog => Session.Catalog;

    /// <summary>What the operations run against: configuration, identity, catalog, detail messages.</summary>
    internal EngineSession Session { get; }

    /// <summary>Sends a detail message to the front end (Write-Verbose, --debug).</summary>
    internal void Detail(string message) => Session.Detail(message);

    /// <summary>Loads configuration and identity without opening the catalog (for Get-BackupContext, config checks).</summary>
    public static (EngineConfig Config, BackupContext Context) LoadSettings(EngineOptions? options = null)
    {
        options ??= new EngineOptions();
        var config = ConfigLoader.Load(options.ConfigPath, options.Environment);
        config.S3Credential = options.S3Credential;
        if (options.Host is not null)
        {
            config = config.With("host", InputRules.ValidateHostName(options.Host, "host"));
        }
        if (options.AvailabilityZone is not null)
        {
            config = config.With("storage_availability_zone", InputRules.ValidateHostName(options.AvailabilityZone, "storage availability zone"));
        }
        config.OsToken = string.IsNullOrEmpty(options.OsToken) ? null : options.OsToken;
        var resolved = ContextResolver.Resolve(config, options.ProjectName, options.UserName, options.Admin, options.OverrideSource, options.Environment);
        config.CallerProject = resolved.ProjectName;
        var context = new BackupContext(resolved.ProjectName, resolved.UserName, resolved.IsAdmin, resolved.Source)
        {
            ConfigFile = config.SourceFile,
            DataDirectory = config.DataDirectory,
        };
        return (config, context);
    }

    public static BackupEngine Open(EngineOptions? options = null)
    {
        options ??= new EngineOptions();
        var (config, context) = LoadSettings(options);
        var catalog = CatalogOpener.Open(config);
        try
        {
            RequireRoleAllows(catalog, context);
        }
        catch
        {
            catalog.Dispose();
            throw;
        }
        var engine = new BackupEngine(config, context, catalog, options);
        try
        {
            if (!catalog.ReadOnly)
            {
                // Clean up after owners that are gone (only `service run` registers as a backup service).
                // Best effort: a catalog another process holds, or a disk too full to grow it, must not stop a read.
                try
                {
                    Recovery.Run(engine.Session);
                }
                catch (Errors.CinderBackupException e) when (e.ErrorId == Errors.ErrorIds.CatalogLocked || Util.DiskSpace.IsNoSpace(e))
                {
                    engine.Detail($"Start-up bookkeeping skipped: {e.Message}");
                }
            }
            if (HashFile.RemoveStale(config.TempDirectory) is > 0 and var stale)
            {
                engine.Detail($"Removed {stale} hash list(s) left in '{config.TempDirectory}' by operations that were killed.");
            }
        }
        catch
        {
            engine.Dispose();
            throw;
        }
        return engine;
    }

    /// <summary>
    /// On a catalog with database roles (PostgreSQL), the identity asked for must be one the server grants the role:
    /// administration only to an administrator role, a project only to a role granted it. The server's row-level
    /// security holds the same line for every statement; this refuses up front, with a clear message.
    /// </summary>
    private static void RequireRoleAllows(ICatalog catalog, BackupContext context)
    {
        if (catalog.Role is not { IsAdmin: false } role)
        {
            return;
        }
        if (context.IsAdmin)
        {
            throw new Errors.CinderBackupException(Errors.ErrorIds.PolicyNotAuthorized, Errors.ErrorKind.PermissionDenied,
                $"The catalog's database role '{role.Name}' is not an administrator (not a member of {PostgresSecurity.AdminRole}): the server refuses --os-admin true (-Admin) to it. Nothing was changed.", role.Name);
        }
        if (!role.Projects.Contains(context.ProjectName, StringComparer.Ordinal))
        {
            throw new Errors.CinderBackupException(Errors.ErrorIds.PolicyNotAuthorized, Errors.ErrorKind.PermissionDenied,
                $"The catalog's database role '{role.Name}' is not granted project '{context.ProjectName}': the server grants it " +
                (role.Projects.Count == 0 ? "no project." : $"only {string.Join(", ", role.Projects.Select(p => $"'{p}'"))}.") + " Nothing was changed.", context.ProjectName);
        }
    }

    public void Dispose() => Catalog.Dispose();
}
