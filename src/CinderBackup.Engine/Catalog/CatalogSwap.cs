namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The SQL of a catalog restore: every table's rows replaced by those of the attached copy (<c>restored</c>, already
/// checked and upgraded to this schema), and the operations running at that moment carried forward, all inside the
/// caller's one write transaction, so other processes see the old catalog or the new one and no running operation
/// loses its row. Carried forward are: each backup with an operation (creating, restoring, deleting) and its metadata,
/// the volume it reads or restores into (with its metadata and attachments) and the snapshot it reads, as they are
/// now. Quota usage is counted from the backups table, so a carried backup is charged by being there.
/// </summary>
internal static class CatalogSwap
{
    private static readonly string[] CarryTables =
    {
        "carry_backups", "carry_backup_metadata", "carry_volumes", "carry_volume_metadata", "carry_volume_glance_metadata",
        "carry_volume_attachment", "carry_snapshots", "carry_dependents",
    };

    /// <summary>Replaces main's rows with restored's and carries the running operations forward; returns their backup ids.</summary>
    public static List<string> Replace(Db db)
    {
        DropCarry(db);
        db.Execute("""
            CREATE TEMP TABLE carry_backups AS SELECT * FROM main.backups WHERE deleted = 0 AND operation IS NOT NULL;
            CREATE TEMP TABLE carry_backup_metadata AS SELECT * FROM main.backup_metadata WHERE backup_id IN (SELECT id FROM temp.carry_backups);
            CREATE TEMP TABLE carry_volumes AS SELECT * FROM main.volumes WHERE id IN (
                SELECT volume_id FROM temp.carry_backups WHERE operation = 'create'
                UNION SELECT restore_volume_id FROM temp.carry_backups WHERE operation = 'restore');
            CREATE TEMP TABLE carry_volume_metadata AS SELECT * FROM main.volume_metadata WHERE volume_id IN (SELECT id FROM temp.carry_volumes);
            CREATE TEMP TABLE carry_volume_glance_metadata AS SELECT * FROM main.volume_glance_metadata WHERE volume_id IN (SELECT id FROM temp.carry_volumes);
            CREATE TEMP TABLE carry_volume_attachment AS SELECT * FROM main.volume_attachment WHERE volume_id IN (SELECT id FROM temp.carry_volumes);
            CREATE TEMP TABLE carry_snapshots AS SELECT * FROM main.snapshots WHERE id IN (
                SELECT snapshot_id FROM temp.carry_backups WHERE operation = 'create'
                UNION SELECT temp_snapshot_id FROM temp.carry_backups WHERE operation = 'create');
            -- Finished backups (being restored or deleted) that the copy does not count among their parent's dependents.
            CREATE TEMP TABLE carry_dependents AS SELECT parent_id FROM temp.carry_backups c
                WHERE parent_id IS NOT NULL AND status IN ('restoring', 'deleting')
                AND NOT EXISTS (SELECT 1 FROM restored.backups r WHERE r.id = c.id AND r.deleted = 0 AND r.status IN ('available', 'restoring', 'deleting'));
            """);

        // Children are deleted before their parents are re-inserted: foreign keys are checked at the commit.
        db.Execute("PRAGMA defer_foreign_keys = ON;");
        foreach (var table in Tables(db, "main"))
        {
            var columns = Columns(db, "main", table);
            var theirs = Columns(db, "restored", table);
            var missing = columns.Except(theirs).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException($"The catalog copy's table {table} lacks column(s) {string.Join(", ", missing)}.");
            }
            var list = string.Join(", ", columns.Select(Quote));
            db.Execute($"DELETE FROM main.{Quote(table)};");
            db.Execute($"INSERT INTO main.{Quote(table)} ({list}) SELECT {list} FROM restored.{Quote(table)};");
        }

        db.Execute("""
            INSERT OR REPLACE INTO main.volumes SELECT * FROM temp.carry_volumes;
            DELETE FROM main.volume_metadata WHERE volume_id IN (SELECT id FROM temp.carry_volumes);
            INSERT INTO main.volume_metadata SELECT * FROM temp.carry_volume_metadata;
            DELETE FROM main.volume_glance_metadata WHERE volume_id IN (SELECT id FROM temp.carry_volumes);
            INSERT INTO main.volume_glance_metadata SELECT * FROM temp.carry_volume_glance_metadata;
            DELETE FROM main.volume_attachment WHERE volume_id IN (SELECT id FROM temp.carry_volumes);
            INSERT OR REPLACE INTO main.volume_attachment SELECT * FROM temp.carry_volume_attachment;
            INSERT OR REPLACE INTO main.snapshots SELECT * FROM temp.carry_snapshots;
            INSERT OR REPLACE INTO main.backups SELECT * FROM temp.carry_backups;
            DELETE FROM main.backup_metadata WHERE backup_id IN (SELECT id FROM temp.carry_backups);
            INSERT INTO main.backup_metadata SELECT * FROM temp.carry_backup_metadata;
            UPDATE main.backups SET num_dependent_backups = num_dependent_backups + (SELECT COUNT(*) FROM temp.carry_dependents d WHERE d.parent_id = backups.id)
                WHERE id IN (SELECT parent_id FROM temp.carry_dependents);
            """);
        var carried = db.Query("SELECT id FROM temp.carry_backups ORDER BY id", r => r.GetString(0));
        DropCarry(db);
        return carried;
    }

    /// <summary>The user tables of a schema, and SQLite's AUTOINCREMENT counters when there are any.</summary>
    private static List<string> Tables(Db db, string schema) =>
        db.Query($"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND (name NOT LIKE 'sqlite_%' OR name = 'sqlite_sequence') ORDER BY name",
            r => r.GetString(0));

    private static List<string> Columns(Db db, string schema, string table) =>
        db.Query($"SELECT name FROM pragma_table_info($t, $s) ORDER BY cid", r => r.GetString(0), ("$t", table), ("$s", schema));

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void DropCarry(Db db)
    {
        foreach (var t in CarryTables)
        {
            db.Execute($"DROP TABLE IF EXISTS temp.{t};");
        }
    }
}
