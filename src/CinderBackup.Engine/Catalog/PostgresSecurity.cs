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

    /// <summary>Tables of the boundary itself, never part of the catalog's data (a catalog copy neither holds nor restores them).</summary>
    public static readonly IReadOnlyList<string> OwnTables = new[] { "project_roles" };

    // The columns that say which file a row is and whose it is: a project role may set them when it inserts the row (the
    // row is then stamped recorded_by_admin = 0, see VolumeProvenance) and never change them.
    private static readonly (string Table, string[] Columns)[] FixedColumns =
    {
        ("volumes", new[] { "path", "backend", "host", "shared", "project_id", "recorded_by_admin" }),
        ("snapshots", new[] { "path", "volume_id", "project_id", "recorded_by_admin" }),
    };

    // Bump when Apply changes: a catalog whose security is older gets it again at its next open by its owner.
    private const string Version = "2";

    /// <summary>
    /// True when this version's policies, triggers and grants are in place: a catalog migrated before them, or before the
    /// group roles existed (made later by a role with CREATEROLE), gets them at its next open by its owner.
    /// </summary>
    public static bool IsApplied(Db db) =>
        db.ScalarLong("SELECT count(*) FROM pg_policies WHERE schemaname = current_schema() AND policyname = 'cinderbackup_project'")
            == ProjectTables.Length + ChildTables.Length
        && db.Scalar("SELECT EXISTS (SELECT 1 FROM catalog_info WHERE key = 'security' AND value = $v)", ("$v", Version)) is true
        && db.Scalar($"""
            SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname IN ('{AdminRole}', '{ProjectRole}'))
                OR (has_table_privilege('{ProjectRole}', 'backups', 'SELECT') AND has_table_privilege('{AdminRole}', 'project_roles', 'INSERT'))
            """) is true;

    /// <summary>True when the session's role owns the catalog's tables (only the owner can apply the security).</summary>
    public static bool IsOwner(Db db) =>
        db.Scalar("SELECT pg_has_role(session_user, tableowner, 'MEMBER') FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'backups'") is true;

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
        Triggers(db, schema);
        var fixedGrants = string.Join("\n", FixedColumns.Select(t =>
        {
            var updatable = db.Query("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $t ORDER BY ordinal_position",
                r => r.GetString(0), ("$t", t.Table)).Except(t.Columns);
            return $"REVOKE UPDATE ON {t.Table} FROM {ProjectRole}; GRANT UPDATE ({string.Join(", ", updatable)}) ON {t.Table} TO {ProjectRole};";
        }));
        db.Execute($"""
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ProjectRole}') AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{AdminRole}') THEN
                    GRANT SELECT, INSERT, UPDATE, DELETE ON volumes, snapshots, backups, quota_usages, reservations,
                        backup_metadata, volume_metadata, volume_glance_metadata, volume_attachment TO {ProjectRole}, {AdminRole};
                    -- Which file a volume or snapshot is, and whose, is written once (see FixedColumns).
                    {fixedGrants}
                    -- Limits and the service registry are the administrators' (quota set, service run): a project role
                    -- that could write them could lift its own quota or fake a live service and stall recovery.
                    GRANT SELECT, INSERT, UPDATE, DELETE ON quotas, services TO {AdminRole};
                    REVOKE INSERT, UPDATE, DELETE ON quotas, services FROM {ProjectRole};
                    GRANT SELECT ON quotas, services TO {ProjectRole};
                    GRANT SELECT ON catalog_info, cinderbackup_schema, volume_types TO {ProjectRole}, {AdminRole};
                    GRANT INSERT, UPDATE, DELETE ON volume_types TO {AdminRole}; -- types are the administrators' (Cinder's policy)
                    GRANT USAGE ON ALL SEQUENCES IN SCHEMA {Quote(schema)} TO {ProjectRole}, {AdminRole};
                    GRANT SELECT, INSERT, UPDATE, DELETE ON project_roles TO {AdminRole};
                END IF;
            END
            $$;
            INSERT INTO catalog_info (key, value) VALUES ('security', '{Version}') ON CONFLICT (key) DO UPDATE SET value = excluded.value;
            """);
    }

    /// <summary>
    /// What a project role writes is what the backup services (the owner's processes, with the repositories' keys and
    /// their own file rights) later act on, so the server stamps and checks it: a volume or snapshot a project role
    /// inserts is marked recorded_by_admin = 0; a backup row it inserts starts as a request (status creating, its
    /// volume, snapshot and parent of its own project), and it never changes which objects a backup is, where it is
    /// restored to (another project's volume), or makes a backup available: the services do that.
    /// </summary>
    private static void Triggers(Db db, string schema)
    {
        var privileged = $"({Quote(schema)}.cinderbackup_is_admin() OR pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'MEMBER'))";
        db.Execute($$"""
            CREATE OR REPLACE FUNCTION cinderbackup_stamp_file() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NOT {{privileged}} THEN
                    NEW.recorded_by_admin := CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE LEAST(OLD.recorded_by_admin, NEW.recorded_by_admin) END;
                END IF;
                RETURN NEW;
            END
            $$;
            CREATE OR REPLACE FUNCTION cinderbackup_check_backup() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {{privileged}} THEN
                    RETURN NEW;
                END IF;
                IF TG_OP = 'INSERT' OR OLD.deleted = 1 THEN
                    IF NEW.status IS DISTINCT FROM 'creating' OR NEW.service_metadata IS NOT NULL OR NEW.object_count IS NOT NULL
                        OR NOT EXISTS (SELECT 1 FROM volumes v WHERE v.id = NEW.volume_id AND v.project_id = NEW.project_id)
                        OR (NEW.snapshot_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.id = NEW.snapshot_id AND s.volume_id = NEW.volume_id))
                        OR (NEW.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM backups p WHERE p.id = NEW.parent_id AND p.project_id = NEW.project_id AND p.volume_id = NEW.volume_id)) THEN
                        RAISE EXCEPTION 'a project role records a backup only as a request (status creating, no objects) of its own project''s volume'
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    RETURN NEW;
                END IF;
                IF (NEW.project_id, NEW.volume_id, NEW.snapshot_id, NEW.parent_id, NEW.container, NEW.service_metadata, NEW.repository,
                        NEW.driver, NEW.repository_id, NEW.repository_location, NEW.object_count, NEW.size, NEW.metadata_sha256,
                        NEW.sha256file_sha256, NEW.data_timestamp, NEW.encryption_key_id, NEW.compression)
                    IS DISTINCT FROM (OLD.project_id, OLD.volume_id, OLD.snapshot_id, OLD.parent_id, OLD.container, OLD.service_metadata, OLD.repository,
                        OLD.driver, OLD.repository_id, OLD.repository_location, OLD.object_count, OLD.size, OLD.metadata_sha256,
                        OLD.sha256file_sha256, OLD.data_timestamp, OLD.encryption_key_id, OLD.compression) THEN
                    RAISE EXCEPTION 'a project role cannot change which objects backup % is or where they are', OLD.id USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NEW.status = 'available' AND OLD.status NOT IN ('available', 'restoring') THEN
                    RAISE EXCEPTION 'a project role cannot make backup % available; the backup services do', OLD.id USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NEW.restore_volume_id IS DISTINCT FROM OLD.restore_volume_id AND NEW.restore_volume_id IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM volumes v WHERE v.id = NEW.restore_volume_id AND v.project_id = NEW.project_id) THEN
                    RAISE EXCEPTION 'a project role restores backup % only to a volume of its project', OLD.id USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END
            $$;
            DROP TRIGGER IF EXISTS cinderbackup_stamp_file ON volumes;
            CREATE TRIGGER cinderbackup_stamp_file BEFORE INSERT OR UPDATE ON volumes FOR EACH ROW EXECUTE FUNCTION cinderbackup_stamp_file();
            DROP TRIGGER IF EXISTS cinderbackup_stamp_file ON snapshots;
            CREATE TRIGGER cinderbackup_stamp_file BEFORE INSERT OR UPDATE ON snapshots FOR EACH ROW EXECUTE FUNCTION cinderbackup_stamp_file();
            DROP TRIGGER IF EXISTS cinderbackup_check_backup ON backups;
            CREATE TRIGGER cinderbackup_check_backup BEFORE INSERT OR UPDATE ON backups FOR EACH ROW EXECUTE FUNCTION cinderbackup_check_backup();
            """);
    }

    /// <summary>Who the server says the session is: its role, whether it is an administrator, and its projects.</summary>
    public static CatalogRole Role(Db db)
    {
        var name = (string)db.Scalar("SELECT session_user::text")!;
        var admin = IsOwner(db) || db.Scalar("SELECT cinderbackup_is_admin()") is true;
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
