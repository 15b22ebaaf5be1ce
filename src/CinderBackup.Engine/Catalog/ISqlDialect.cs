namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The statements that differ between catalog engines, in one place per engine; every other statement of the table
/// classes is written once, in the SQL that SQLite and PostgreSQL share, with <c>$name</c> parameters, and each engine
/// maps it to its own spelling (<see cref="Statement"/>, <see cref="ParameterName"/>).
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

    /// <summary>
    /// What ends a SELECT so that the rows it reads stay locked until the transaction ends (PostgreSQL: <c> FOR UPDATE</c>);
    /// empty where writers are serialised anyway (SQLite).
    /// </summary>
    string ForUpdate { get; }

    /// <summary>A statement of the table classes as this engine runs it (parameters, reserved words).</summary>
    string Statement(string sql);

    /// <summary>A migration step of <see cref="Migrations"/> (written in SQLite's DDL) in this engine's DDL.</summary>
    string Migration(string ddl);

    /// <summary>A parameter's name (<c>$id</c>) as this engine's provider wants it.</summary>
    string ParameterName(string name);
}
