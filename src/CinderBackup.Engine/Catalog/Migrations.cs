namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The catalog schema as an ordered list of migrations. <c>PRAGMA user_version</c> holds how many have been
/// applied. Append new migrations; never edit one that has shipped.
/// </summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<string> All = new[]
    {
        // 1: the base schema. Column names follow Cinder's models where Cinder has the field.
        """
        CREATE TABLE catalog_info (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT INTO catalog_info (key, value) VALUES ('application', 'cinderbackup');

        CREATE TABLE volumes (
            id                  TEXT PRIMARY KEY,
            display_name        TEXT,
            display_description TEXT,
            project_id          TEXT NOT NULL,
            user_id             TEXT NOT NULL,
            size                INTEGER NOT NULL,
            size_bytes          INTEGER NOT NULL,
            status              TEXT NOT NULL,
            previous_status     TEXT,
            attach_status       TEXT NOT NULL DEFAULT 'detached',
            availability_zone   TEXT NOT NULL,
            host                TEXT,
            backend             TEXT NOT NULL,
            path                TEXT NOT NULL,
            bootable            INTEGER NOT NULL DEFAULT 0,
            multiattach         INTEGER NOT NULL DEFAULT 0,
            volume_type_id      TEXT,
            encryption_key_id   TEXT,
            snapshot_id         TEXT,
            source_volid        TEXT,
            launched_at         TEXT,
            terminated_at       TEXT,
            created_at          TEXT NOT NULL,
            updated_at          TEXT,
            deleted_at          TEXT,
            deleted             INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_volumes_project ON volumes (project_id, deleted);
        CREATE INDEX ix_volumes_name ON volumes (display_name);

        CREATE TABLE volume_metadata (
            volume_id TEXT NOT NULL REFERENCES volumes (id),
            key       TEXT NOT NULL,
            value     TEXT,
            PRIMARY KEY (volume_id, key)
        );

        CREATE TABLE volume_glance_metadata (
            volume_id TEXT NOT NULL REFERENCES volumes (id),
            key       TEXT NOT NULL,
            value     TEXT,
            PRIMARY KEY (volume_id, key)
        );

        CREATE TABLE volume_attachment (
            id            TEXT PRIMARY KEY,
            volume_id     TEXT NOT NULL REFERENCES volumes (id),
            instance_uuid TEXT NOT NULL,
            mountpoint    TEXT NOT NULL,
            attach_status TEXT NOT NULL,
            attach_time   TEXT NOT NULL,
            detach_time   TEXT,
            deleted       INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_attachment_volume ON volume_attachment (volume_id, deleted);

        CREATE TABLE snapshots (
            id                  TEXT PRIMARY KEY,
            volume_id           TEXT NOT NULL REFERENCES volumes (id),
            display_name        TEXT,
            display_description TEXT,
            project_id          TEXT NOT NULL,
            user_id             TEXT NOT NULL,
            status              TEXT NOT NULL,
            progress            TEXT NOT NULL DEFAULT '0%',
            volume_size         INTEGER NOT NULL,
            size_bytes          INTEGER NOT NULL,
            path                TEXT NOT NULL,
            use_quota           INTEGER NOT NULL DEFAULT 1,
            created_at          TEXT NOT NULL,
            updated_at          TEXT,
            deleted_at          TEXT,
            deleted             INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_snapshots_volume ON snapshots (volume_id, deleted);

        -- Every field of Cinder's backup record (cinder-reference.md §5.1), then ours.
        CREATE TABLE backups (
            id                    TEXT PRIMARY KEY,
            user_id               TEXT NOT NULL,
            project_id            TEXT NOT NULL,
            volume_id             TEXT NOT NULL,
            host                  TEXT,
            availability_zone     TEXT,
            container             TEXT,
            parent_id             TEXT,
            status                TEXT,
            fail_reason           TEXT,
            size                  INTEGER,
            display_name          TEXT,
            display_description   TEXT,
            service_metadata      TEXT,
            service               TEXT,
            object_count          INTEGER,
            temp_volume_id        TEXT,
            temp_snapshot_id      TEXT,
            num_dependent_backups INTEGER NOT NULL DEFAULT 0,
            snapshot_id           TEXT,
            data_timestamp        TEXT,
            restore_volume_id     TEXT,
            encryption_key_id     TEXT,
            created_at            TEXT NOT NULL,
            updated_at            TEXT,
            deleted_at            TEXT,
            deleted               INTEGER NOT NULL DEFAULT 0,
            -- ours: where the backup lives and who is working on it
            repository            TEXT,
            driver                TEXT,
            operation             TEXT,
            owner_host            TEXT,
            owner_pid             INTEGER,
            owner_started_at      TEXT,
            heartbeat_at          TEXT,
            progress_done         INTEGER,
            progress_total        INTEGER,
            progress_rate         REAL
        );
        CREATE INDEX ix_backups_volume ON backups (volume_id, deleted);
        CREATE INDEX ix_backups_parent ON backups (parent_id, deleted);
        CREATE INDEX ix_backups_project ON backups (project_id, deleted);

        CREATE TABLE backup_metadata (
            backup_id TEXT NOT NULL REFERENCES backups (id),
            key       TEXT NOT NULL,
            value     TEXT,
            PRIMARY KEY (backup_id, key)
        );

        CREATE TABLE quotas (
            project_id TEXT NOT NULL,
            resource   TEXT NOT NULL,
            hard_limit INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT,
            PRIMARY KEY (project_id, resource)
        );

        CREATE TABLE quota_usages (
            project_id    TEXT NOT NULL,
            resource      TEXT NOT NULL,
            in_use        INTEGER NOT NULL DEFAULT 0,
            reserved      INTEGER NOT NULL DEFAULT 0,
            until_refresh INTEGER,
            created_at    TEXT NOT NULL,
            updated_at    TEXT,
            PRIMARY KEY (project_id, resource)
        );

        CREATE TABLE reservations (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            uuid       TEXT NOT NULL,
            project_id TEXT NOT NULL,
            resource   TEXT NOT NULL,
            delta      INTEGER NOT NULL,
            expire     TEXT NOT NULL,
            created_at TEXT NOT NULL,
            deleted    INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_reservations_uuid ON reservations (uuid);

        CREATE TABLE services (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            host              TEXT NOT NULL,
            binary            TEXT NOT NULL,
            topic             TEXT NOT NULL,
            availability_zone TEXT NOT NULL,
            disabled          INTEGER NOT NULL DEFAULT 0,
            disabled_reason   TEXT,
            report_count      INTEGER NOT NULL DEFAULT 0,
            pid               INTEGER,
            created_at        TEXT NOT NULL,
            updated_at        TEXT,
            deleted           INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX ix_services_host_binary ON services (host, binary, deleted);
        """,

        // 2: SHA-256 of the _metadata and _sha256file documents as written (ours, not Cinder's), so that restore and
        // verify notice any change to them; null for backups written elsewhere or imported.
        """
        ALTER TABLE backups ADD COLUMN metadata_sha256 TEXT;
        ALTER TABLE backups ADD COLUMN sha256file_sha256 TEXT;
        """,

        // 3 (issue 16): the claim model. claim_token holds the SHA-256 of the token a command hands to the worker it starts
        // (OperationClaims); a delete records its owner like every other operation, so deletes stuck in "deleting" by an
        // older version (no owner recorded) become operations whose owner is gone, and recovery resumes them.
        """
        ALTER TABLE backups ADD COLUMN claim_token TEXT;
        UPDATE backups SET operation = 'delete' WHERE deleted = 0 AND status = 'deleting' AND operation IS NULL;
        """,

        // 4 (issue 16): where a backup was written (ours): the id in the repository's marker, and the repository's location then,
        // so a restore can tell a repository that moved from a backup that is gone; null for backups from before.
        """
        ALTER TABLE backups ADD COLUMN repository_id TEXT;
        ALTER TABLE backups ADD COLUMN repository_location TEXT;
        """,

        // 5 (issue 17): the compression chosen when a backup was prepared, so whoever runs it (this process, a --no-wait
        // worker, an -AsJob job) reads it from the row; null for rows from before, which use backup_compression_algorithm.
        """
        ALTER TABLE backups ADD COLUMN compression TEXT;
        """,

        // 6 (issue 19): the queue of the backup services. A --no-wait operation or an -AsJob job handed to the services of
        // a zone waits with queued_at and queue_zone set and no owner, until one service of that zone that can reach the
        // volume claims it. shared: the volume's file lies on storage every host reaches at the same path (else only its
        // host reaches it, as Cinder's backup_use_same_host). Existing volumes stay reachable from their host only. Before,
        // every process reported as a service; only `service run` does now, so the old reports are marked stopped (pid NULL).
        """
        ALTER TABLE backups ADD COLUMN queued_at TEXT;
        ALTER TABLE backups ADD COLUMN queue_zone TEXT;
        CREATE INDEX ix_backups_queue ON backups (queue_zone, queued_at);
        ALTER TABLE volumes ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
        UPDATE services SET pid = NULL;
        """,

        // 7 (issue 20): volume types, as Cinder has them (a type per volume, __DEFAULT__ since Train, which existing
        // volumes take; volumes.volume_type_id has been there, unused, since migration 0). Deleted types are removed, not
        // kept soft-deleted: nothing refers to a type no volume has.
        """
        CREATE TABLE volume_types (
            id          TEXT PRIMARY KEY,
            name        TEXT NOT NULL UNIQUE,
            description TEXT,
            is_public   INTEGER NOT NULL DEFAULT 1,
            created_at  TEXT NOT NULL
        );
        INSERT INTO volume_types (id, name, description, is_public, created_at)
            VALUES ('7e1c8bb4-0f3a-4d5e-9a3c-2f6b1d0e4a17', '__DEFAULT__', 'Default Volume Type', 1, '2026-01-01T00:00:00.000000');
        UPDATE volumes SET volume_type_id = '7e1c8bb4-0f3a-4d5e-9a3c-2f6b1d0e4a17';
        """,

        // 8 (issue 20): the summary of a backup as restic prints one (ours): bytes of the volume read, bytes that changed
        // (written to objects), bytes stored (after compression), and how long the data transfer took, in milliseconds;
        // null for backups from before, imported, or not finished.
        """
        ALTER TABLE backups ADD COLUMN bytes_read INTEGER;
        ALTER TABLE backups ADD COLUMN bytes_changed INTEGER;
        ALTER TABLE backups ADD COLUMN bytes_stored INTEGER;
        ALTER TABLE backups ADD COLUMN duration_ms INTEGER;
        """,

        // 9 (issue 19): who recorded a volume's or snapshot's file. On PostgreSQL a trigger sets 0 for a row a project role
        // inserts (PostgresSecurity): a backup service, which reads and writes files with its own rights, then acts on it only
        // where a project's own tools put files (its pool image, its snapshot file, shared_volume_paths), never on a path
        // the role chose. Rows from before, and every row on SQLite (no roles), were recorded by the administrator.
        """
        ALTER TABLE volumes ADD COLUMN recorded_by_admin INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE snapshots ADD COLUMN recorded_by_admin INTEGER NOT NULL DEFAULT 1;
        """,
    };

    public static int Latest => All.Count;
}
