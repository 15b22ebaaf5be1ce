namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The statements that differ between catalog engines, in one place per engine; every other statement of the table
/// classes is written in the SQL that SQLite and PostgreSQL share.
/// </summary>
internal interface ISqlDialect
{
    /// <summary>The schema version recorded in the catalog (0 for an empty one).</summary>
    int SchemaVersion(Db db);

    /// <summary>Records that the catalog now has <paramref name="version"/> migrations.</summary>
    void SetSchemaVersion(Db db, int version);

    /// <summary>The larger of two SQL expressions.</summary>
    string Greatest(string a, string b);

    /// <summary>
    /// What ends the sub-select of a queue claim so that concurrent claimants skip each other's rows (PostgreSQL:
    /// <c> FOR UPDATE OF alias SKIP LOCKED</c>); empty where writers are serialised anyway (SQLite).
    /// </summary>
    string SkipLocked(string alias);
}
