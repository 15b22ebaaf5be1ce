using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Catalog;

/// <summary>SQL for the reservations table (Cinder's quota reservations: live ones count against a limit).</summary>
internal static class ReservationTable
{
    /// <summary>Sum of the project's live (not committed, not expired) positive reservations of <paramref name="resource"/>.</summary>
    public static long Reserved(Db db, string project, string resource, DateTime now) =>
        db.ScalarLong("SELECT COALESCE(SUM(delta), 0) FROM reservations WHERE project_id = $p AND resource = $r AND deleted = 0 AND delta > 0 AND expire > $now",
            ("$p", project), ("$r", resource), ("$now", Clock.ToStorage(now)));

    /// <summary>Adds one live reservation line of reservation <paramref name="uuid"/>.</summary>
    public static void Insert(Db db, string uuid, string project, string resource, long delta, DateTime expire, DateTime now) =>
        db.Execute("INSERT INTO reservations (uuid, project_id, resource, delta, expire, created_at) VALUES ($u, $p, $r, $d, $e, $now)",
            ("$u", uuid), ("$p", project), ("$r", resource), ("$d", delta), ("$e", Clock.ToStorage(expire)), ("$now", Clock.ToStorage(now)));

    /// <summary>Adds a line already committed (a release: Cinder's negative reservation), expiring at once.</summary>
    public static void InsertCommitted(Db db, string uuid, string project, string resource, long delta, DateTime now) =>
        db.Execute("INSERT INTO reservations (uuid, project_id, resource, delta, expire, created_at, deleted) VALUES ($u, $p, $r, $d, $now, $now, 1)",
            ("$u", uuid), ("$p", project), ("$r", resource), ("$d", delta), ("$now", Clock.ToStorage(now)));

    /// <summary>Commits every line of reservation <paramref name="uuid"/>.</summary>
    public static void Commit(Db db, string uuid) =>
        db.Execute("UPDATE reservations SET deleted = 1 WHERE uuid = $u", ("$u", uuid));
}
