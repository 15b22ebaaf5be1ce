using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Operations;
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

    /// <summary>
    /// Creates a sparse raw image of <paramref name="sizeGiB"/> GiB in the file pool, or with <paramref name="rbd"/> an
    /// RBD image <c>volume-&lt;id&gt;</c> in rbd_pool (as Cinder's RBD driver names it).
    /// </summary>
    public BlockVolume Create(string? name, int sizeGiB, string? description = null, string? availabilityZone = null,
        IReadOnlyDictionary<string, string>? metadata = null, string? volumeType = null, bool rbd = false)
    {
        InputRules.ValidateSize(sizeGiB.ToString(System.Globalization.CultureInfo.InvariantCulture), sizeGiB);
        InputRules.ValidateText(name, "name");
        InputRules.ValidateText(description, "description");
        InputRules.ValidateText(availabilityZone, "availability zone");
        InputRules.ValidateMetadata(metadata);
        // An unknown type is refused before any file is made.
        _engine.Catalog.Read(db => Lookup.VolumeType(db, volumeType));
        var id = Guid.NewGuid().ToString();
        var bytes = sizeGiB * FilePool.GiB;
        if (rbd)
        {
            var image = new RbdLocation(_engine.Config.RbdPool, "volume-" + id);
            var access = RbdAccess.From(_engine.Config);
            access.Create(image, bytes);
            try
            {
                return Insert(id, name, description, availabilityZone, metadata, volumeType, sizeGiB, bytes, VolumeBackend.Rbd, image.Path, shared: true);
            }
            catch
            {
                access.Remove(image);
                throw;
            }
        }
        var path = FilePool.ImagePath(_engine.Config.VolumePoolPath, id);
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
            return Insert(id, name, description, availabilityZone, metadata, volumeType, sizeGiB, bytes, VolumeBackend.Pool, path,
                SharedStorage.Covers(_engine.Config, path));
        }
        catch
        {
            FilePool.Delete(path);
            throw;
        }
    }

    /// <summary>The row of a volume whose image was just made: quota, type and metadata in one transaction.</summary>
    private BlockVolume Insert(string id, string? name, string? description, string? availabilityZone, IReadOnlyDictionary<string, string>? metadata,
        string? volumeType, int sizeGiB, long bytes, string backend, string path, bool shared) =>
        _engine.Catalog.Write(db =>
        {
            var now = Clock.UtcNow;
            var quota = new QuotaEngine(_engine.Config);
            var type = Lookup.VolumeType(db, volumeType); // again under the lock: it may have been deleted meanwhile
            var reservation = quota.ReserveVolume(db, Context.ProjectName, sizeGiB);
            VolumeTable.Insert(db, id, name, description, Context.ProjectName, Context.UserName, sizeGiB, bytes,
                VolumeStatus.Available, availabilityZone ?? _engine.Config.AvailabilityZone, _engine.Config.Host,
                backend, path, now, shared, type.Id);
            quota.Commit(db, reservation);
            if (metadata is { Count: > 0 })
            {
                VolumeTable.SetMetadata(db, id, metadata, replace: true);
            }
            return VolumeTable.Get(db, id)!;
        });

    /// <summary>
    /// Registers an existing RBD image (<c>POOL/IMAGE</c>) of the cluster rbd_ceph_conf names, reached as rbd_user. We
    /// never delete or resize it; our backups leave one snapshot on it (<c>backup.&lt;bid&gt;.snap.&lt;time&gt;</c>, the base
    /// of the next incremental), removed with the volume.
    /// </summary>
    public BlockVolume RegisterRbd(string? name, string spec, string? description = null, string? availabilityZone = null)
    {
        InputRules.ValidateText(name, "name");
        InputRules.ValidateText(description, "description");
        InputRules.ValidateText(availabilityZone, "availability zone");
        var image = RbdLocation.ParseSpec(spec);
        var bytes = RbdAccess.From(_engine.Config).Measure(image);
        if (bytes == 0)
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument,
                $"The RBD image '{image}' is empty; a volume needs at least one byte.", image.ToString());
        }
        var sizeGiB = (int)Math.Min(int.MaxValue, (bytes + FilePool.GiB - 1) / FilePool.GiB);
        var id = Guid.NewGuid().ToString();
        return _engine.Catalog.Write(db =>
        {
            if (VolumeTable.List(db, null).FirstOrDefault(v => v.Path == image.Path) is { } other)
            {
                throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidState,
                    $"The RBD image '{image}' is already volume {VolumeNames.Describe(other)}.", image.ToString());
            }
            var quota = new QuotaEngine(_engine.Config); // as Cinder's manage_existing reserves
            var reservation = quota.ReserveVolume(db, Context.ProjectName, sizeGiB);
            VolumeTable.Insert(db, id, name, description, Context.ProjectName, Context.UserName, sizeGiB, bytes,
                VolumeStatus.Available, availabilityZone ?? _engine.Config.AvailabilityZone, _engine.Config.Host,
                VolumeBackend.RbdRegistered, image.Path, Clock.UtcNow, shared: true, Lookup.VolumeType(db, null).Id);
            quota.Commit(db, reservation);
            return VolumeTable.Get(db, id)!;
        });
    }

    /// <summary>
    /// A new volume restored from a backup, as one call: every input is checked first, then the backup's checks, the
    /// new volume and the claim of the backup are made (no data moved yet; a refusal leaves no volume behind), the data
    /// is written outside any transaction, and one last transaction applies the backup's volume metadata, then the
    /// caller's description and metadata, and makes the volume available. A failed restore leaves the volume
    /// error_restoring with the caller's description and metadata not applied, as before.
    /// </summary>
    public BlockVolume CreateFromBackup(VolumeFromBackupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckUpdate(null, options.Description, options.Metadata);
        var restorer = new BackupRestorer(_engine.Session);
        var prepared = restorer.Prepare(options.Backup, null, options.Name, options.AvailabilityZone, options.SizeGiB,
            options.Description, options.Metadata, options.VolumeType);
        var result = restorer.Execute(prepared, options.Progress, options.Cancel);
        return _engine.Catalog.Read(db => VolumeTable.Get(db, result.VolumeId)!);
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
            var quota = new QuotaEngine(_engine.Config); // as Cinder's manage_existing reserves
            var reservation = quota.ReserveVolume(db, Context.ProjectName, sizeGiB);
            VolumeTable.Insert(db, id, name, description, Context.ProjectName, Context.UserName, sizeGiB, bytes,
                VolumeStatus.Available, availabilityZone ?? _engine.Config.AvailabilityZone, _engine.Config.Host,
                VolumeBackend.Path, full, Clock.UtcNow, SharedStorage.Covers(_engine.Config, full), Lookup.VolumeType(db, null).Id);
            quota.Commit(db, reservation);
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
        if (_engine.Catalog.Read(db => Lookup.Volume(db, Context, nameOrId)) is { Backend: VolumeBackend.Pool } pooled)
        {
            VolumeProvenance.CheckVolume(_engine.Config, _engine.Catalog, pooled); // the file removed is the pool's, not a path a project role wrote
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
            else if (volume.Backend == VolumeBackend.Rbd)
            {
                RbdAccess.From(_engine.Config).Remove(RbdLocation.FromPath(volume.Path));
            }
            else if (volume.Backend == VolumeBackend.RbdRegistered)
            {
                RbdAccess.From(_engine.Config).RemoveBackupSnapshots(RbdLocation.FromPath(volume.Path), keep: null); // ours; the image stays
            }
        }
        catch (CinderBackupException e) when (e.Kind != ErrorKind.NotFound)
        {
            _engine.Catalog.Write(db => VolumeTable.SetStatus(db, volume.Id, VolumeStatus.ErrorDeleting));
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Cannot delete the image of volume {VolumeNames.Describe(volume)} at '{volume.Path}': {e.Message}", volume.Id, e);
        }
        catch (CinderBackupException)
        {
            // The image or its pool is gone already: forgetting the volume is all that is left.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _engine.Catalog.Write(db => VolumeTable.SetStatus(db, volume.Id, VolumeStatus.ErrorDeleting));
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Cannot delete the image of volume {VolumeNames.Describe(volume)} at '{volume.Path}': {e.Message}", volume.Id, e);
        }
        _engine.Catalog.Write(db =>
        {
            VolumeTable.SoftDelete(db, volume.Id);
            new QuotaEngine(_engine.Config).ReleaseVolume(db, volume.ProjectId, volume.Size);
        });
        return volume;
    }

    /// <summary>Grows a file-pool volume (Cinder's extend); the new tail is sparse.</summary>
    public BlockVolume Extend(string nameOrId, int newSizeGiB) => Set(nameOrId, new VolumeChanges { SizeGiB = newSizeGiB });

    /// <summary>
    /// One user action on a volume (<c>Set-BlockVolume</c>, <c>volume set</c>): name, description, metadata, extend and
    /// an admin's reset of the state. Every check (inputs, state, policy, then the volume's backend, size, status and
    /// attachments) is made before any row changes, in the transaction that makes them, so a refusal of any part
    /// changes nothing. An extend marks the volume extending in that transaction, grows the file outside it, and
    /// writes the size, the other changes and the final status in a second; a failed grow leaves error_extending and
    /// nothing else changed.
    /// </summary>
    public BlockVolume Set(string nameOrId, VolumeChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        CheckUpdate(changes.Name, changes.Description, changes.Metadata);
        var state = changes.State is null ? null : CheckResetState(changes.State);
        if (changes.SizeGiB is not int newSizeGiB)
        {
            return _engine.Catalog.Write(db =>
            {
                var v = Lookup.Volume(db, Context, nameOrId);
                CheckStateFits(v, state);
                return Apply(db, v, changes, state);
            });
        }
        InputRules.ValidateSize(newSizeGiB.ToString(System.Globalization.CultureInfo.InvariantCulture), newSizeGiB);
        FilePool.CheckFits(_engine.Config.VolumePoolPath, newSizeGiB * FilePool.GiB); // a size the file system refuses changes nothing
        if (_engine.Catalog.Read(db => Lookup.Volume(db, Context, nameOrId)) is { Backend: VolumeBackend.Pool } pooled)
        {
            VolumeProvenance.CheckVolume(_engine.Config, _engine.Catalog, pooled);
        }
        var quota = new QuotaEngine(_engine.Config);
        var (volume, reservation) = _engine.Catalog.Write(db =>
        {
            var v = Lookup.Volume(db, Context, nameOrId);
            if (v.Backend is not (VolumeBackend.Pool or VolumeBackend.Rbd))
            {
                throw new CinderBackupException(ErrorIds.VolumeInvalidState, ErrorKind.NotSupported,
                    $"Volume {VolumeNames.Describe(v)} is the registered {(v.Backend == VolumeBackend.RbdRegistered ? "RBD image" : "path")} '{v.Path}'; CinderBackup never resizes registered devices or images.", v.Id);
            }
            if (newSizeGiB <= v.Size)
            {
                throw new CinderBackupException(ErrorIds.InvalidSize, ErrorKind.InvalidArgument,
                    $"Invalid input received: New size for extend must be greater than current size. (current: {v.Size}, extended: {newSizeGiB}).", v.Id);
            }
            if (v.Status != VolumeStatus.Available)
            {
                throw new CinderBackupException(ErrorIds.VolumeInvalidState, ErrorKind.InvalidState,
                    $"Invalid volume: Volume {v.Id} status must be '{{'status': 'available'}}' to extend, currently {v.Status}.", v.Id);
            }
            CheckStateFits(v, state);
            // Cinder's _extend reserves the added size in gigabytes (in the volume's project) before anything changes.
            var r = quota.ReserveGigabytes(db, v.ProjectId, newSizeGiB - v.Size);
            VolumeTable.ConditionalStatus(db, v.Id, new[] { VolumeStatus.Available }, VolumeStatus.Extending, savePrevious: true);
            return (v, r);
        });
        var bytes = newSizeGiB * FilePool.GiB;
        try
        {
            if (volume.Backend == VolumeBackend.Rbd)
            {
                RbdAccess.From(_engine.Config).Resize(RbdLocation.FromPath(volume.Path), bytes);
            }
            else
            {
                FilePool.Extend(volume.Path, bytes);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CinderBackupException)
        {
            _engine.Catalog.Write(db =>
            {
                VolumeTable.SetStatus(db, volume.Id, VolumeStatus.ErrorExtending);
                quota.Rollback(db, reservation);
            });
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"Cannot extend volume {VolumeNames.Describe(volume)} to {newSizeGiB} GiB: {e.Message}", volume.Id, e);
        }
        return _engine.Catalog.Write(db =>
        {
            VolumeTable.SetSize(db, volume.Id, newSizeGiB, bytes);
            quota.Commit(db, reservation);
            VolumeTable.SetStatus(db, volume.Id, VolumeStatus.Available);
            return Apply(db, volume, changes, state);
        });
    }

    /// <summary>Cinder refuses in-use for a volume with no attachment.</summary>
    private static void CheckStateFits(BlockVolume v, string? state)
    {
        if (state == VolumeStatus.InUse && v.Attachments.Count == 0)
        {
            throw new CinderBackupException(ErrorIds.VolumeStatusInvalid, ErrorKind.InvalidArgument,
                "Cannot reset-state to in-use because volume does not have any attachments.", v.Id);
        }
    }

    /// <summary>The row changes of <see cref="Set"/> other than the extend, after every check passed.</summary>
    private BlockVolume Apply(Db db, BlockVolume v, VolumeChanges changes, string? state)
    {
        if (changes.Name is not null || changes.Description is not null || changes.Metadata is not null)
        {
            VolumeTable.SetNameAndDescription(db, v.Id, changes.Name ?? v.Name, changes.Description ?? v.Description);
        }
        if (changes.Metadata is not null)
        {
            VolumeTable.SetMetadata(db, v.Id, changes.Metadata, replace: false);
        }
        if (state is not null)
        {
            VolumeTable.SetStatus(db, v.Id, state);
            _engine.Detail($"Volume {VolumeNames.Describe(v)}: status reset from {v.Status} to {state}.");
        }
        return VolumeTable.Get(db, v.Id)!;
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
        IReadOnlyDictionary<string, string>? metadata = null) =>
        Set(nameOrId, new VolumeChanges { Name = name, Description = description, Metadata = metadata });

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
    public BlockVolume ResetState(string nameOrId, string status) => Set(nameOrId, new VolumeChanges { State = status });

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
