using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Rules;
using CinderBackup.Engine.Util;
using CinderBackup.Engine.Volumes;

namespace CinderBackup.Engine.Api;

/// <summary>Volumes: file-pool images and registered paths, their status, size and attachments.</summary>
public sealed class VolumeApi
{
    /// <summary>Largest volume we create: 1 PiB, far past any file system's sparse-file limit sanity.</summary>
    public const int MaxSizeGiB = InputRules.MaxSizeGiB;

    private static readonly string[] DeletableStatuses =
        { VolumeStatus.Available, VolumeStatus.Error, VolumeStatus.ErrorRestoring, VolumeStatus.ErrorExtending, "error_managing" };

    private readonly BackupEngine _engine;

    internal VolumeApi(BackupEngine engine) => _engine = engine;

    private BackupContext Context => _engine.Context;

    /// <summary>Creates a sparse raw image of <paramref name="sizeGiB"/> GiB in the file pool.</summary>
    public BlockVolume Create(string? name, int sizeGiB, string? description = null, string? availabilityZone = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        InputRules.ValidateSize(sizeGiB.ToString(System.Globalization.CultureInfo.InvariantCulture), sizeGiB);
        InputRules.ValidateText(name, "name");
        InputRules.ValidateText(description, "description");
        InputRules.ValidateText(availabilityZone, "availability zone");
        InputRules.ValidateMetadata(metadata);
        var id = Guid.NewGuid().ToString();
        var path = FilePool.ImagePath(_engine.Config.VolumePoolPath, id);
        var bytes = sizeGiB * FilePool.GiB;
        try
        {
            FilePool.Create(path, bytes);
        }
        catch (CinderBackupException)
        {
            FilePool.Delete(path); // too large for the file system: nothing is left behind
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            FilePool.Delete(path);
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Cannot create a {sizeGiB} GiB image in the file pool '{_engine.Config.VolumePoolPath}': {e.Message}", name ?? id, e);
        }
        try
        {
            return _engine.Catalog.Write(db =>
            {
                var now = Clock.UtcNow;
                VolumeTable.Insert(db, id, name, description, Context.ProjectName, Context.UserName, sizeGiB, bytes,
                    VolumeStatus.Available, availabilityZone ?? _engine.Config.AvailabilityZone, _engine.Config.Host,
                    VolumeBackend.Pool, path, now);
                if (metadata is { Count: > 0 })
                {
                    VolumeTable.SetMetadata(db, id, metadata, replace: true);
                }
                return VolumeTable.Get(db, id)!;
            });
        }
        catch
        {
            FilePool.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// Registers an existing image file or block device. We never delete, truncate or grow it. The path may not lead
    /// to the tool's own files and folders or to another volume's or snapshot's file (see <see cref="RegisteredPaths"/>).
    /// </summary>
    public BlockVolume Register(string? name, string path, string? description = null, string? availabilityZone = null)
    {
        InputRules.ValidateText(name, "name");
        InputRules.ValidateText(description, "description");
        InputRules.ValidateText(availabilityZone, "availability zone");
        if (string.IsNullOrWhiteSpace(path) || path.Any(char.IsControl))
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument,
                $"Invalid path '{PrintableText.Brief(path ?? "")}'.", path);
        }
        var full = System.IO.Path.GetFullPath(path);
        // What the path leads to is checked before anything opens it (a FIFO would hang the open), then measured
        // through a descriptor that must be that same file.
        var identity = _engine.Catalog.Read(db => RegisteredPaths.Check(_engine.Config, _engine.Context, db, full, null));
        var bytes = DeviceProbe.Measure(full, identity);
        if (bytes == 0)
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument,
                $"The path '{full}' is empty; a volume needs at least one byte.", full);
        }
        var sizeGiB = (int)Math.Min(int.MaxValue, (bytes + FilePool.GiB - 1) / FilePool.GiB);
        var id = Guid.NewGuid().ToString();
        return _engine.Catalog.Write(db =>
        {
            // Again under the lock: another registration of the same file may have won meanwhile.
            if (!RegisteredPaths.Check(_engine.Config, _engine.Context, db, full, null).SameAs(identity))
            {
                throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidState,
                    $"The path '{full}' changed while it was being registered; nothing was registered.", full);
            }
            VolumeTable.Insert(db, id, name, description, Context.ProjectName, Context.UserName, sizeGiB, bytes,
                VolumeStatus.Available, availabilityZone ?? _engine.Config.AvailabilityZone, _engine.Config.Host,
                VolumeBackend.Path, full, Clock.UtcNow);
            return VolumeTable.Get(db, id)!;
        });
    }

    public BlockVolume Get(string nameOrId) => _engine.Catalog.Read(db => Lookup.Volume(db, Context, nameOrId));

    /// <summary>Volumes of the caller's project, or of every project for an admin asking for all.</summary>
    public IReadOnlyList<BlockVolume> List(bool allProjects = false, string? status = null)
    {
        var project = Policy.ProjectFilter(Context, allProjects);
        var all = _engine.Catalog.Read(db => VolumeTable.List(db, project));
        return status is null ? all : all.Where(v => v.Status == status).ToList();
    }

    /// <summary>
    /// Whether deleting this volume needs <c>force</c> (an admin's force-delete, Cinder's <c>volume delete --force</c>):
    /// its status is outside Cinder's deletable ones. An attached volume is refused even then, so it does not count.
    /// </summary>
    public static bool DeleteNeedsForce(BlockVolume v) =>
        !DeletableStatuses.Contains(v.Status) && v.Attachments.Count == 0 && v.Status != VolumeStatus.InUse;

    /// <summary>
    /// Deletes a volume: its pool image is removed; a registered path is only forgotten. Refused while attached,
    /// while it has snapshots, or (unless an admin forces it) outside Cinder's deletable statuses.
    /// </summary>
    public BlockVolume Delete(string nameOrId, bool force = false)
    {
        if (force)
        {
            Policy.RequireAdmin(Context, "volume_extension:volume_admin_actions:force_delete");
        }
        var volume = _engine.Catalog.Write(db =>
        {
            var v = Lookup.Volume(db, Context, nameOrId);
            var snapshots = VolumeTable.CountSnapshots(db, v.Id);
            var statusOk = force || DeletableStatuses.Contains(v.Status);
            var attached = v.Attachments.Count > 0 || v.Status == VolumeStatus.InUse;
            if (!statusOk || attached || snapshots > 0)
            {
                // The error id and the reason in the message come from the same condition (attached first), so a
                // script matching the id reads the reason that goes with it.
                var (errorId, reason) = attached
                    ? (ErrorIds.VolumeInUse, $"volume {VolumeNames.Describe(v)} is {v.Status}{(v.Attachments.Count > 0 ? " (" + v.AttachedTo.Replace("\n", "; ") + ")" : "")}")
                    : snapshots > 0
                        ? (ErrorIds.VolumeHasSnapshots, $"volume {VolumeNames.Describe(v)} has {snapshots} snapshot(s)")
                        : (ErrorIds.VolumeInvalidState, $"volume {VolumeNames.Describe(v)} is {v.Status}");
                throw new CinderBackupException(
                    errorId,
                    ErrorKind.InvalidState,
                    "Invalid volume: Volume " + (force ? "" : "status must be available or error or error_restoring or error_extending or error_managing and ")
                    + "must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer. "
                    + $"({reason})",
                    v.Id);
            }
            VolumeTable.SetStatus(db, v.Id, VolumeStatus.Deleting);
            return v;
        });
        try
        {
            if (volume.Backend == VolumeBackend.Pool)
            {
                FilePool.Delete(volume.Path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _engine.Catalog.Write(db => VolumeTable.SetStatus(db, volume.Id, VolumeStatus.ErrorDeleting));
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Cannot delete the image of volume {VolumeNames.Describe(volume)} at '{volume.Path}': {e.Message}", volume.Id, e);
        }
        _engine.Catalog.Write(db => VolumeTable.SoftDelete(db, volume.Id));
        return volume;
    }

    /// <summary>Grows a file-pool volume (Cinder's extend); the new tail is sparse.</summary>
    public BlockVolume Extend(string nameOrId, int newSizeGiB)
    {
        InputRules.ValidateSize(newSizeGiB.ToString(System.Globalization.CultureInfo.InvariantCulture), newSizeGiB);
        FilePool.CheckFits(_engine.Config.VolumePoolPath, newSizeGiB * FilePool.GiB); // a size the file system refuses changes nothing
        var volume = _engine.Catalog.Write(db =>
        {
            var v = Lookup.Volume(db, Context, nameOrId);
            if (v.Backend != VolumeBackend.Pool)
            {
                throw new CinderBackupException(ErrorIds.VolumeInvalidState, ErrorKind.NotSupported,
                    $"Volume {VolumeNames.Describe(v)} is the registered path '{v.Path}'; CinderBackup never resizes registered devices.", v.Id);
            }
            if (newSizeGiB <= v.Size)
            {
                throw new CinderBackupException(ErrorIds.InvalidSize, ErrorKind.InvalidArgument,
                    $"Invalid input received: New size for extend must be greater than current size. (current: {v.Size}, extended: {newSizeGiB}).", v.Id);
            }
            if (!VolumeTable.ConditionalStatus(db, v.Id, new[] { VolumeStatus.Available }, VolumeStatus.Extending, savePrevious: true))
            {
                throw new CinderBackupException(ErrorIds.VolumeInvalidState, ErrorKind.InvalidState,
                    $"Invalid volume: Volume {v.Id} status must be '{{'status': 'available'}}' to extend, currently {v.Status}.", v.Id);
            }
            return v;
        });
        var bytes = newSizeGiB * FilePool.GiB;
        try
        {
            FilePool.Extend(volume.Path, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _engine.Catalog.Write(db => VolumeTable.SetStatus(db, volume.Id, VolumeStatus.ErrorExtending));
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Cannot extend volume {VolumeNames.Describe(volume)} to {newSizeGiB} GiB: {e.Message}", volume.Id, e);
        }
        return _engine.Catalog.Write(db =>
        {
            VolumeTable.SetSize(db, volume.Id, newSizeGiB, bytes);
            VolumeTable.SetStatus(db, volume.Id, VolumeStatus.Available);
            return VolumeTable.Get(db, volume.Id)!;
        });
    }

    /// <summary>
    /// Checks the inputs of <see cref="Update"/> without changing anything, so a front end that combines an update with
    /// another change (extend, restore) can refuse the whole request before either change is made.
    /// </summary>
    public static void CheckUpdate(string? name, string? description, IReadOnlyDictionary<string, string>? metadata)
    {
        InputRules.ValidateText(name, "name");
        InputRules.ValidateText(description, "description");
        InputRules.ValidateMetadata(metadata);
    }

    /// <summary>Changes name, description or user metadata (null leaves a field as it is).</summary>
    public BlockVolume Update(string nameOrId, string? name = null, string? description = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        CheckUpdate(name, description, metadata);
        return _engine.Catalog.Write(db =>
        {
            var v = Lookup.Volume(db, Context, nameOrId);
            VolumeTable.SetNameAndDescription(db, v.Id, name ?? v.Name, description ?? v.Description);
            if (metadata is not null)
            {
                VolumeTable.SetMetadata(db, v.Id, metadata, replace: false);
            }
            return VolumeTable.Get(db, v.Id)!;
        });
    }

    private const string ResetStatusPolicy = "volume_extension:volume_admin_actions:reset_status";

    /// <summary>
    /// Checks a reset-state request (the status, then the admin policy, in Cinder's order) without changing anything,
    /// so that a front end combining it with other changes can refuse the whole request first. Returns the status in
    /// lower case.
    /// </summary>
    public string CheckResetState(string status)
    {
        var lower = status?.ToLowerInvariant();
        if (lower is null || !VolumeStatus.All.Contains(lower))
        {
            throw new CinderBackupException(ErrorIds.VolumeStatusInvalid, ErrorKind.InvalidArgument,
                $"Volume status: {PrintableText.Brief(status ?? "")} is invalid, valid statuses are: ({string.Join(", ", VolumeStatus.All.Select(s => $"'{s}'"))}).", status);
        }
        Policy.RequireAdmin(Context, ResetStatusPolicy);
        if (lower is VolumeStatus.Deleting or VolumeStatus.ErrorDeleting or VolumeStatus.Detaching)
        {
            // Cinder means to refuse all three; a missing comma in its code ('error_deleting' 'detaching') lets two through.
            throw new CinderBackupException(ErrorIds.VolumeStatusInvalid, ErrorKind.InvalidArgument, $"Cannot reset-state to {lower}", status);
        }
        return lower;
    }

    /// <summary>
    /// Admin reset of a volume's status (Cinder's os-reset_status; <c>openstack volume set --state</c>, <c>cinder
    /// reset-state</c>): the status is written as given, with no regard to what the volume is doing, as in Cinder. A
    /// volume left error_restoring by a failed restore becomes available and can be restored into again.
    /// </summary>
    public BlockVolume ResetState(string nameOrId, string status)
    {
        var lower = CheckResetState(status);
        return _engine.Catalog.Write(db =>
        {
            var v = Lookup.Volume(db, Context, nameOrId);
            if (lower == VolumeStatus.InUse && v.Attachments.Count == 0)
            {
                throw new CinderBackupException(ErrorIds.VolumeStatusInvalid, ErrorKind.InvalidArgument,
                    "Cannot reset-state to in-use because volume does not have any attachments.", v.Id);
            }
            VolumeTable.SetStatus(db, v.Id, lower);
            _engine.Detail($"Volume {VolumeNames.Describe(v)}: status reset from {v.Status} to {lower}.");
            return VolumeTable.Get(db, v.Id)!;
        });
    }

    /// <summary>Marks a volume in-use by <paramref name="instance"/> on <paramref name="device"/>.</summary>
    public BlockVolume Attach(string nameOrId, string instance, string device)
    {
        ValidateRequired(instance, "instance");
        ValidateRequired(device, "device");
        return _engine.Catalog.Write(db =>
        {
            var v = Lookup.Volume(db, Context, nameOrId);
            if (!VolumeTable.ConditionalStatus(db, v.Id, new[] { VolumeStatus.Available }, VolumeStatus.InUse))
            {
                throw new CinderBackupException(v.Status == VolumeStatus.InUse ? ErrorIds.VolumeInUse : ErrorIds.VolumeInvalidState,
                    ErrorKind.InvalidState,
                    $"Invalid volume: Volume status must be available to reserve, but the status is {v.Status}.", v.Id);
            }
            VolumeTable.AddAttachment(db, Guid.NewGuid().ToString(), v.Id, instance, device, Clock.UtcNow);
            return VolumeTable.Get(db, v.Id)!;
        });
    }

    /// <summary>Detaches every attachment of an in-use volume; it becomes available.</summary>
    public BlockVolume Detach(string nameOrId)
    {
        return _engine.Catalog.Write(db =>
        {
            var v = Lookup.Volume(db, Context, nameOrId);
            if (!VolumeTable.ConditionalStatus(db, v.Id, new[] { VolumeStatus.InUse }, VolumeStatus.Available))
            {
                throw new CinderBackupException(ErrorIds.VolumeInvalidState, ErrorKind.InvalidState,
                    "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.", v.Id);
            }
            VolumeTable.RemoveAttachments(db, v.Id, Clock.UtcNow);
            return VolumeTable.Get(db, v.Id)!;
        });
    }

    /// <summary>Parses a size given as text by a front end, with Cinder's message when it is not a positive integer.</summary>
    public static int ParseSize(string raw)
    {
        if (!int.TryParse(raw, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            if (long.TryParse(raw, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var big))
            {
                InputRules.ValidateSize(raw, big); // an integer, just too large (or too small) for one: say so
            }
            throw new CinderBackupException(ErrorIds.InvalidSize, ErrorKind.InvalidArgument,
                $"Invalid input received: Volume size '{PrintableText.Brief(raw)}' must be an integer and greater than 0", raw);
        }
        InputRules.ValidateSize(raw, n);
        return n;
    }

    private static void ValidateRequired(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                $"Invalid input received: {what} is required.", value);
        }
        InputRules.ValidateText(value, what);
    }

}
