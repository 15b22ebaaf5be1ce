using System.Data.Common;

namespace CinderBackup.Engine.Catalog;

/// <summary>
/// One catalog connection inside one transaction, as the table classes use it: parameterised statements over ADO.NET's
/// common types, so any catalog engine's provider fits, plus that engine's <see cref="Dialect"/>. Commands join the
/// connection's open transaction, which some providers (Microsoft.Data.Sqlite) require.
/// </summary>
internal sealed class Db
{
    private readonly DbConnection _connection;

    public Db(DbConnection connection, ISqlDialect dialect)
    {
        _connection = connection;
        Dialect = dialect;
    }

    public ISqlDialect Dialect { get; }

    public DbTransaction? Transaction { get; set; }

    public DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = Dialect.Statement(sql);
        cmd.Transaction = Transaction;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = Dialect.ParameterName(name);
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    public int Execute(string sql, params (string, object?)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    public object? Scalar(string sql, params (string, object?)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    public long ScalarLong(string sql, params (string, object?)[] parameters) =>
        Convert.ToInt64(Scalar(sql, parameters) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);

    public List<T> Query<T>(string sql, Func<DbDataReader, T> map, params (string, object?)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        using var reader = cmd.ExecuteReader();
        var list = new List<T>();
        while (reader.Read())
        {
            list.Add(map(reader));
        }
        return list;
    }

    /// <summary>
    /// Cinder's conditional_update: sets <paramref name="assignments"/> on one row only if its status is one of
    /// <paramref name="expected"/>. False when the status was wrong or another caller got there first, so
    /// check-then-act races cannot happen.
    /// </summary>
    public bool UpdateIfStatusIn(string table, string id, IEnumerable<string> expected, string assignments,
        params (string Name, object? Value)[] parameters)
    {
        var list = expected.ToList();
        var all = new List<(string, object?)>(parameters) { ("$id", id) };
        all.AddRange(list.Select((s, i) => ("$e" + i, (object?)s)));
        var placeholders = string.Join(", ", list.Select((_, i) => "$e" + i));
        return Execute($"UPDATE {table} SET {assignments} WHERE id = $id AND deleted = 0 AND status IN ({placeholders})", all.ToArray()) == 1;
    }

    public T? QuerySingle<T>(string sql, Func<DbDataReader, T> map, params (string, object?)[] parameters)
        where T : class
    {
        var rows = Query(sql, map, parameters);
        return rows.Count == 0 ? null : rows[0];
    }
}
