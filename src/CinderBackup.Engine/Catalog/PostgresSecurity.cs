namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The boundary between projects on PostgreSQL, enforced by the server: two group roles (<c>cinderbackup_admin</c>,
/// every project; <c>cinderbackup_project</c>, the projects <c>project_roles</c> grants each login role), row-level
/// security on every table that holds a project's rows (volumes, snapshots, backups with their operations, quotas,
/// usages, reservations, and the rows hanging off volumes and backups), and <c>cinderbackup_may(project)</c>, the one
/// rule the policies share. The catalog's owner (who migrates it) is not subject to the policies, as in PostgreSQL.
/// Applied under the migration lock, idempotently; roles are made only where the migrating role may (CREATEROLE).
/// </summary>
internal static class PostgresSecurity
{
    public const string AdminRole = "cinderbackup_admin";
    public const string ProjectRole = "cinderbackup_project";

    private static readonly string[] ProjectTables = { "volumes", "snapshots", "backups", "quotas", "quota_usages", "reservations" };

    private static readonly (string Table, string Parent, string Key)[] ChildTables =
    {
        ("backup_metadata", "backups", "backup_id"), ("volume_metadata", "volumes", "volume_id"),
        ("volume_glance_metadata", "volumes", "volume_id"), ("volume_attachment", "volumes", "volume_id"),
    };

    /// <summary>True when the policies are in place (a catalog migrated before them gets them at its next open by its owner).</summary>
    public static bool IsApplied(Db db) =>
        db.ScalarLong("SELECT count(*) FROM pg_policies WHERE schemaname = current_schema() AND policyname = 'cinderbackup_project'")
            == ProjectTables.Length + ChildTables.Length;

    public static void Apply(Db db)
    {
        db.Execute($"""
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{AdminRole}') THEN
                    CREATE ROLE {AdminRole} NOLOGIN;
                END IF;
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ProjectRole}') THEN
                    CREATE ROLE {ProjectRole} NOLOGIN;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- another database of this server made them at the same moment (roles are per server)
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'cannot create the CinderBackup roles: create {AdminRole} and {ProjectRole} as a role with CREATEROLE';
            END
            $$;
            CREATE TABLE IF NOT EXISTS project_roles (
                role_name  TEXT NOT NULL,
                project_id TEXT NOT NULL,
                PRIMARY KEY (role_name, project_id)
            );
            REVOKE ALL ON project_roles FROM PUBLIC;
            CREATE OR REPLACE FUNCTION cinderbackup_is_admin() RETURNS boolean
                LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
                SELECT r.rolsuper OR EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = '{AdminRole}' AND pg_has_role(session_user, a.oid, 'MEMBER'))
                FROM pg_roles r WHERE r.rolname = session_user
            $$;
            """);
        // The grants are read through this function only (SECURITY DEFINER: a role cannot read who else has what).
        var schema = (string)db.Scalar("SELECT current_schema()")!;
        db.Execute($"""
            CREATE OR REPLACE FUNCTION cinderbackup_may(project TEXT) RETURNS boolean
                LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
                SELECT {Quote(schema)}.cinderbackup_is_admin()
                    OR EXISTS (SELECT 1 FROM {Quote(schema)}.project_roles g WHERE g.role_name = session_user AND g.project_id = project)
            $$;
            CREATE OR REPLACE FUNCTION cinderbackup_projects() RETURNS SETOF text
                LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
                SELECT g.project_id FROM {Quote(schema)}.project_roles g WHERE g.role_name = session_user ORDER BY 1
            $$;
            """);
        foreach (var table in ProjectTables)
        {
            Policy(db, table, "cinderbackup_may(project_id)");
        }
        foreach (var (table, parent, key) in ChildTables)
        {
            // The parent's own policy filters the subquery: a child row is visible with its parent.
            Policy(db, table, $"EXISTS (SELECT 1 FROM {parent} p WHERE p.id = {key})");
        }
        db.Execute($"""
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ProjectRole}') AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{AdminRole}') THEN
                    GRANT SELECT, INSERT, UPDATE, DELETE ON volumes, snapshots, backups, quota_usages, reservations,
                        backup_metadata, volume_metadata, volume_glance_metadata, volume_attachment TO {ProjectRole}, {AdminRole};
                    -- Limits and the service registry are the administrators' (quota set, service run): a project role
                    -- that could write them could lift its own quota or fake a live service and stall recovery.
                    GRANT SELECT, INSERT, UPDATE, DELETE ON quotas, services TO {AdminRole};
                    REVOKE INSERT, UPDATE, DELETE ON quotas, services FROM {ProjectRole};
                    GRANT SELECT ON quotas, services TO {ProjectRole};
                    GRANT SELECT ON catalog_info, cinderbackup_schema TO {ProjectRole}, {AdminRole};
                    GRANT USAGE ON ALL SEQUENCES IN SCHEMA {Quote(schema)} TO {ProjectRole}, {AdminRole};
                    GRANT SELECT, INSERT, UPDATE, DELETE ON project_roles TO {AdminRole};
                END IF;
            END
            $$;
            """);
    }

    /// <summary>Who the server says the session is: its role, whether it is an administrator, and its projects.</summary>
    public static CatalogRole Role(Db db)
    {
        var name = (string)db.Scalar("SELECT session_user::text")!;
        var owner = db.Scalar("SELECT pg_has_role(session_user, tableowner, 'MEMBER') FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'backups'") is true;
        var admin = owner || db.Scalar("SELECT cinderbackup_is_admin()") is true;
        var projects = admin ? new List<string>() : db.Query("SELECT * FROM cinderbackup_projects()", r => r.GetString(0));
        return new CatalogRole(name, admin, projects);
    }

    private static void Policy(Db db, string table, string rule)
    {
        db.Execute($"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY");
        db.Execute($"DROP POLICY IF EXISTS cinderbackup_project ON {table}");
        db.Execute($"CREATE POLICY cinderbackup_project ON {table} USING ({rule}) WITH CHECK ({rule})");
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
