using System.Data.Common;

namespace CinderBackup.Engine.Catalog;

/// <summary>Typed column access by name.</summary>
internal static class ReaderExtensions
{
    public static string Str(this DbDataReader r, string column) => r.GetString(r.GetOrdinal(column));

    public static string? StrN(this DbDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetString(i);
    }

    public static long Long(this DbDataReader r, string column) => r.GetInt64(r.GetOrdinal(column));

    public static long? LongN(this DbDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetInt64(i);
    }

    public static int Int(this DbDataReader r, string column) => r.GetInt32(r.GetOrdinal(column));

    public static bool Bool(this DbDataReader r, string column) => r.GetInt64(r.GetOrdinal(column)) != 0;

    public static DateTime Time(this DbDataReader r, string column) => Util.Clock.FromStorage(r.Str(column));

    public static DateTime? TimeN(this DbDataReader r, string column) => Util.Clock.FromStorageNullable(r.StrN(column));
}
