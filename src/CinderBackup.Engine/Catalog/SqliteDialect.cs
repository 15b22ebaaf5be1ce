namespace CinderBackup.Engine.Catalog;

/// <summary>SQLite's side of <see cref="ISqlDialect"/>: the schema version lives in the file header (user_version).</summary>
internal sealed class SqliteDialect : ISqlDialect
{
    public static readonly SqliteDialect Instance = new();

    public int SchemaVersion(Db db) => (int)db.ScalarLong("PRAGMA user_version;");

    public void SetSchemaVersion(Db db, int version) => db.Execute($"PRAGMA user_version = {version};");

    public string Greatest(string a, string b) => $"MAX({a}, {b})";

    public string SkipLocked(string alias) => ""; // one writer at a time (BEGIN IMMEDIATE)

    public string ForUpdate => ""; // one writer at a time (BEGIN IMMEDIATE)

    public string Statement(string sql) => sql;

    public string Migration(string ddl) => ddl;

    public string ParameterName(string name) => name;
}
