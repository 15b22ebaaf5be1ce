using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Native.Ceph;

namespace CinderBackup.Engine.Volumes;

/// <summary>
/// How RBD volumes are reached (rbd_ceph_conf, rbd_user) and the image operations the volume back end needs. Each call
/// connects, works and disconnects: volume operations are rare, and a backup or restore holds its own connection.
/// librados/librbd failures become <see cref="CinderBackupException"/>s naming the image.
/// </summary>
internal sealed record RbdAccess(string Conf, string User)
{
    /// <summary>Our backup snapshots on a source image: <c>backup.&lt;bid&gt;.snap.&lt;time&gt;</c>, as Cinder's Ceph driver names them.</summary>
    public const string BackupSnapshotPrefix = "backup.";

    public static RbdAccess From(EngineConfig config) => new(config.RbdCephConf, config.RbdUser);

    public static string BackupSnapshotName(string backupId, DateTime utc) =>
        $"backup.{backupId}.snap.{(utc - DateTime.UnixEpoch).TotalSeconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}";

    public static bool IsBackupSnapshot(string name) =>
        name.StartsWith(BackupSnapshotPrefix, StringComparison.Ordinal) && name.Contains(".snap.", StringComparison.Ordinal);

    public static bool IsBackupSnapshotOf(string name, string backupId) => name.StartsWith($"backup.{backupId}.snap.", StringComparison.Ordinal);

    /// <summary>Connects and opens the image's pool, turning a missing pool into a clear error.</summary>
    public (RadosCluster Cluster, RadosPool Pool) OpenPool(string pool)
    {
        var cluster = Guard(pool, () => RadosCluster.Connect(Conf, User));
        try
        {
            return (cluster, cluster.OpenPool(pool));
        }
        catch (CephException e) when (e.NotFound)
        {
            cluster.Dispose();
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.NotFound,
                $"Ceph pool '{pool}' does not exist in the cluster of '{Conf}'.", pool, e);
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> on the image's pool; a missing image (or snapshot) is a clear NotFound.</summary>
    public T With<T>(RbdLocation image, Func<RadosPool, T> work)
    {
        var (cluster, pool) = OpenPool(image.Pool);
        using (cluster)
        using (pool)
        {
            try
            {
                return Guard(image.ToString(), () => work(pool));
            }
            catch (CinderBackupException e) when (e.InnerException is CephException { NotFound: true })
            {
                throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.NotFound,
                    $"RBD image '{image}' does not exist in the cluster of '{Conf}'.", image.ToString(), e);
            }
        }
    }

    public void With(RbdLocation image, Action<RadosPool> work) => With(image, p =>
    {
        work(p);
        return 0;
    });

    /// <summary>The image's size in bytes (opened read only).</summary>
    public long Measure(RbdLocation image) => With(image, p =>
    {
        using var i = p.OpenImage(image.Image, image.Snapshot, readOnly: true);
        return i.Size;
    });

    public void Create(RbdLocation image, long bytes) => With(image, p => p.CreateImage(image.Image, bytes));

    public void Resize(RbdLocation image, long bytes) => With(image, p =>
    {
        using var i = p.OpenImage(image.Image);
        i.Resize(bytes);
    });

    public void CreateSnapshot(RbdLocation image, string name) => With(image, p =>
    {
        using var i = p.OpenImage(image.Image);
        i.CreateSnapshot(name);
    });

    /// <summary>Removes a snapshot; false when it was not there (nor its image).</summary>
    public bool RemoveSnapshot(RbdLocation image, string name)
    {
        try
        {
            return With(image, p =>
            {
                using var i = p.OpenImage(image.Image);
                return i.RemoveSnapshot(name);
            });
        }
        catch (CinderBackupException e) when (e.Kind == ErrorKind.NotFound)
        {
            return false;
        }
    }

    public IReadOnlyList<string> Snapshots(RbdLocation image) => With(image, p =>
    {
        using var i = p.OpenImage(image.Image, readOnly: true);
        return i.Snapshots().Select(s => s.Name).ToList();
    });

    /// <summary>Removes our backup snapshots of the image but <paramref name="keep"/>; returns how many went.</summary>
    public int RemoveBackupSnapshots(RbdLocation image, string? keep) => With(image, p =>
    {
        using var i = p.OpenImage(image.Image);
        var gone = 0;
        foreach (var s in i.Snapshots().Where(s => IsBackupSnapshot(s.Name) && s.Name != keep))
        {
            gone += i.RemoveSnapshot(s.Name) ? 1 : 0;
        }
        return gone;
    });

    /// <summary>Removes an image we made (our backup snapshots first); false when it was gone already.</summary>
    public bool Remove(RbdLocation image)
    {
        try
        {
            RemoveBackupSnapshots(image, keep: null);
        }
        catch (CinderBackupException e) when (e.Kind == ErrorKind.NotFound)
        {
            return false;
        }
        return With(image, p => p.RemoveImage(image.Image));
    }

    private T Guard<T>(string subject, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (CephException e)
        {
            throw new CinderBackupException(ErrorIds.VolumeIOError,
                e.NotFound ? ErrorKind.NotFound : e.Errno is 1 or 13 ? ErrorKind.PermissionDenied : ErrorKind.IOError,
                $"RBD volume '{subject}': {e.Message}.", subject, e);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new CinderBackupException(ErrorIds.VolumeIOError, ErrorKind.IOError,
                $"RBD volume '{subject}': librados/librbd cannot be loaded ({e.Message}); install librados2 and librbd1.", subject, e);
        }
    }
}
