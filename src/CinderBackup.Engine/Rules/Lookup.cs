using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Format;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Rules;

/// <summary>
/// Resolves "name or ID" arguments as the openstack client does: an ID first (in any spelling Cinder takes for the
/// same UUID: case, braces), then a name in the caller's project (admins then also search other projects). Several
/// matches are an error, never a guess.
/// </summary>
internal static class Lookup
{
    /// <summary>A volume type by id or name (Cinder's get_by_name_or_id); null or empty: <c>__DEFAULT__</c>.</summary>
    public static VolumeType VolumeType(Db db, string? nameOrId)
    {
        if (string.IsNullOrEmpty(nameOrId))
        {
            nameOrId = VolumeTypeTable.DefaultName;
        }
        return VolumeTypeTable.GetById(db, nameOrId) ?? VolumeTypeTable.GetByName(db, nameOrId)
            ?? throw new CinderBackupException(ErrorIds.VolumeTypeNotFound, ErrorKind.NotFound,
                $"Volume type with name {PrintableText.Brief(nameOrId)} could not be found.", nameOrId);
    }

    public static BlockVolume Volume(Db db, BackupContext context, string nameOrId)
    {
        CheckArgument(nameOrId, "volume");
        var byId = VolumeTable.Get(db, nameOrId) ?? (CinderUuid.Normalize(nameOrId) is string id ? VolumeTable.Get(db, id) : null);
        if (byId is not null && Policy.CanSee(context, byId.ProjectId))
        {
            return byId;
        }
        var matches = VolumeTable.List(db, context.ProjectName, nameOrId);
        if (matches.Count == 0 && context.IsAdmin)
        {
            matches = VolumeTable.List(db, null, nameOrId);
        }
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CinderBackupException(ErrorIds.VolumeNotFound, ErrorKind.NotFound,
                $"No volume with a name or ID of '{PrintableText.Brief(nameOrId)}' exists.", nameOrId),
            _ => throw new CinderBackupException(ErrorIds.VolumeAmbiguous, ErrorKind.InvalidArgument,
                $"More than one volume with name {PrintableText.Brief(nameOrId)} exists. Use the volume ID instead.", nameOrId),
        };
    }

    public static VolumeSnapshot Snapshot(Db db, BackupContext context, string nameOrId)
    {
        CheckArgument(nameOrId, "snapshot");
        var byId = SnapshotTable.Get(db, nameOrId) ?? (CinderUuid.Normalize(nameOrId) is string id ? SnapshotTable.Get(db, id) : null);
        if (byId is not null && Policy.CanSee(context, byId.ProjectId))
        {
            return byId;
        }
        var matches = SnapshotTable.List(db, context.ProjectName, exactName: nameOrId);
        if (matches.Count == 0 && context.IsAdmin)
        {
            matches = SnapshotTable.List(db, null, exactName: nameOrId);
        }
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CinderBackupException(ErrorIds.SnapshotNotFound, ErrorKind.NotFound,
                $"No snapshot with a name or ID of '{PrintableText.Brief(nameOrId)}' exists.", nameOrId),
            _ => throw new CinderBackupException(ErrorIds.SnapshotAmbiguous, ErrorKind.InvalidArgument,
                $"More than one snapshot with name {PrintableText.Brief(nameOrId)} exists. Use the snapshot ID instead.", nameOrId),
        };
    }

    public static Catalog.BackupRow Backup(Db db, BackupContext context, string nameOrId)
    {
        CheckArgument(nameOrId, "backup");
        var byId = BackupTable.Get(db, nameOrId) ?? (CinderUuid.Normalize(nameOrId) is string id ? BackupTable.GetByUuid(db, id) : null);
        if (byId is not null && Policy.CanSee(context, byId.ProjectId))
        {
            return byId;
        }
        var matches = BackupTable.List(db, context.ProjectName, exactName: nameOrId);
        if (matches.Count == 0 && context.IsAdmin)
        {
            matches = BackupTable.List(db, null, exactName: nameOrId);
        }
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CinderBackupException(ErrorIds.BackupNotFound, ErrorKind.NotFound,
                $"No backup with a name or ID of '{PrintableText.Brief(nameOrId)}' exists.", nameOrId),
            _ => throw new CinderBackupException(ErrorIds.BackupAmbiguous, ErrorKind.InvalidArgument,
                $"More than one backup with name {PrintableText.Brief(nameOrId)} exists. Use the backup ID instead.", nameOrId),
        };
    }

    private static void CheckArgument(string value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                $"A {what} name or ID is required.", value);
        }
    }
}
