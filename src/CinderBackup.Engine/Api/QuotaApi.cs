using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Rules;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Api;

/// <summary>Backup and volume quotas per project: show, set (admin only) and usage, with Cinder's rules and messages.</summary>
public sealed class QuotaApi
{
    private readonly BackupEngine _engine;

    internal QuotaApi(BackupEngine engine) => _engine = engine;

    private BackupContext Context => _engine.Context;

    /// <summary>The quotas of <paramref name="project"/> (default: the caller's project).</summary>
    public BackupQuota Get(string? project = null)
    {
        var p = Target(project);
        return _engine.Catalog.Read(db => Quota(db, p));
    }

    /// <summary>Per-resource usage (in use, reserved, limit), as `cinder quota-usage` prints it.</summary>
    public IReadOnlyList<BackupQuotaUsage> Usage(string? project = null)
    {
        var p = Target(project);
        var engine = new QuotaEngine(_engine.Config);
        return _engine.Catalog.Read(db => QuotaEngine.Resources.Select(r =>
        {
            var (inUse, reserved) = engine.Usage(db, p, r);
            return new BackupQuotaUsage { ProjectName = p, Type = r, InUse = inUse, Reserved = reserved, Limit = engine.Limit(db, p, r) };
        }).ToList());
    }

    /// <summary>
    /// Sets limits (admin only); null leaves one as it is. Like Cinder, a limit must be an integer of at least
    /// -1 and not below what the project already uses.
    /// </summary>
    public BackupQuota Set(string project, int? backups = null, int? backupGigabytes = null, int? volumes = null, int? gigabytes = null)
    {
        Policy.RequireAdmin(Context, "volume_extension:quotas:update");
        ContextResolver.ValidateName(project, "project name");
        if (string.IsNullOrWhiteSpace(project))
        {
            throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, "A project name is required.", project);
        }
        var limits = new[]
        {
            (QuotaEngine.Backups, backups), (QuotaEngine.Gigabytes, backupGigabytes),
            (QuotaEngine.Volumes, volumes), (QuotaEngine.VolumeGigabytes, gigabytes),
        };
        foreach (var (resource, value) in limits)
        {
            Check(resource, value);
        }
        var engine = new QuotaEngine(_engine.Config);
        return _engine.Catalog.Write(db =>
        {
            foreach (var (resource, value) in limits)
            {
                if (value is not int limit)
                {
                    continue;
                }
                var (inUse, reserved) = engine.Usage(db, project, resource);
                if (limit != -1 && limit < inUse + reserved)
                {
                    throw new CinderBackupException(ErrorIds.QuotaInvalid, ErrorKind.InvalidArgument,
                        $"Quota {resource} limit must be equal or greater than existing resources. Current usage is {inUse + reserved} and the requested limit is {limit}.", project);
                }
            }
            var now = Clock.UtcNow;
            foreach (var (resource, value) in limits)
            {
                if (value is int limit)
                {
                    QuotaTable.SetHardLimit(db, project, resource, limit, now);
                }
            }
            return Quota(db, project);
        });
    }

    private BackupQuota Quota(Db db, string project)
    {
        var engine = new QuotaEngine(_engine.Config);
        var isDefault = QuotaTable.IsDefault(db, project);
        return new BackupQuota
        {
            ProjectName = project,
            Backups = engine.Limit(db, project, QuotaEngine.Backups),
            BackupGigabytes = engine.Limit(db, project, QuotaEngine.Gigabytes),
            Volumes = engine.Limit(db, project, QuotaEngine.Volumes),
            Gigabytes = engine.Limit(db, project, QuotaEngine.VolumeGigabytes),
            IsDefault = isDefault,
        };
    }

    /// <summary>Members see their own project's quotas; other projects need the admin role.</summary>
    private string Target(string? project)
    {
        var p = string.IsNullOrEmpty(project) ? Context.ProjectName : project;
        ContextResolver.ValidateName(p, "project name");
        if (p != Context.ProjectName)
        {
            Policy.RequireAdmin(Context, "volume_extension:quotas:show");
        }
        return p;
    }

    private static void Check(string resource, int? value)
    {
        if (value is int v && v < -1)
        {
            throw new CinderBackupException(ErrorIds.QuotaInvalid, ErrorKind.InvalidArgument, $"{resource} must be >= -1", resource);
        }
    }

    /// <summary>Cinder's integer check for quota values given as text.</summary>
    public static int ParseLimit(string resource, string raw)
    {
        if (!int.TryParse(raw, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var v))
        {
            throw new CinderBackupException(ErrorIds.QuotaInvalid, ErrorKind.InvalidArgument,
                long.TryParse(raw, out _) ? $"{resource} must be <= {int.MaxValue}" : $"{resource} must be an integer", resource);
        }
        Check(resource, v);
        return v;
    }
}
