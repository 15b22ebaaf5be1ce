using System.Text;
using System.Text.RegularExpressions;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Issue 17: all SQL lives behind Catalog/, as named operations, so a second catalog engine has one folder to implement.
/// Read from the sources: every string literal (regular, verbatim, raw, interpolated, with the literals inside
/// interpolation holes) of every engine file outside Catalog/ is searched for SQL statements.
/// </summary>
public sealed partial class CatalogBoundaryTests
{
    private static readonly string EngineDirectory = FindEngineDirectory();

    [Fact]
    public void NoSqlOutsideTheCatalogFolder()
    {
        var files = Directory.EnumerateFiles(EngineDirectory, "*.cs", SearchOption.AllDirectories)
            .Select(f => (Path: f, Relative: Path.GetRelativePath(EngineDirectory, f).Replace('\\', '/')))
            .Where(f => !f.Relative.Split('/').Any(part => part is "bin" or "obj"))
            .ToList();
        Assert.True(files.Count > 100, $"only {files.Count} source files under {EngineDirectory}");
        // The reader must see the SQL that Catalog/ does hold, or a reader that sees nothing would pass.
        var inCatalog = files.Where(f => f.Relative.StartsWith("Catalog/", StringComparison.Ordinal))
            .Sum(f => SqlIn(File.ReadAllText(f.Path)).Count);
        Assert.True(inCatalog > 50, $"only {inCatalog} SQL literals found in Catalog/");

        var outside = files.Where(f => !f.Relative.StartsWith("Catalog/", StringComparison.Ordinal))
            .SelectMany(f => SqlIn(File.ReadAllText(f.Path)).Select(sql => $"{f.Relative}: {Shorten(sql)}"))
            .ToList();
        Assert.True(outside.Count == 0,
            "SQL outside src/CinderBackup.Engine/Catalog/ (make it a named operation of a Catalog/ table class):\n" + string.Join("\n", outside));
    }

    /// <summary>The reader finds SQL in every kind of literal, and none in comments or prose.</summary>
    [Fact]
    public void TheReaderFindsSqlInEveryKindOfLiteral()
    {
        Assert.Single(SqlIn("""db.Execute("UPDATE backups SET status = $s WHERE id = $id");"""));
        Assert.Single(SqlIn("""var s = @"DELETE FROM ""backup_metadata"" WHERE x";"""));
        Assert.Single(SqlIn("var s = $\"SELECT {Columns} FROM volumes WHERE id = {(x ? \"a\" : \"b\")}\";"));
        Assert.Single(SqlIn("var s = $\"{(x ? \"INSERT INTO quotas (a) VALUES (1)\" : \"\")}\";"));
        Assert.Single(SqlIn("db.Execute(\n    \"\"\"\n    INSERT INTO services (host)\n    VALUES ($h)\n    \"\"\");"));
        Assert.Single(SqlIn("""db.Scalar("PRAGMA user_version;");"""));
        Assert.Single(SqlIn("""var ddl = "CREATE TABLE backups (id TEXT)";"""));
        Assert.Empty(SqlIn("// SELECT id FROM backups\n/* DELETE FROM x */ var c = '\"'; var m = \"Select a backup from the list; update it, then delete.\";"));
    }

    private static List<string> SqlIn(string source) => Literals(source).Where(l => Sql().IsMatch(l)).ToList();

    private static string Shorten(string sql)
    {
        var one = Regex.Replace(sql, @"\s+", " ").Trim();
        return one.Length > 100 ? one[..100] + "..." : one;
    }

    /// <summary>The text of every string literal of C# <paramref name="source"/>; comments and character literals are skipped.</summary>
    private static List<string> Literals(string source)
    {
        var found = new List<string>();
        var i = 0;
        ReadCode(source, ref i, found, stopAtBrace: false);
        return found;
    }

    /// <summary>Reads code up to the end (or, inside an interpolation hole, up to its closing brace).</summary>
    private static void ReadCode(string s, ref int i, List<string> found, bool stopAtBrace)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '/' && At(s, i + 1, '/'))
            {
                while (i < s.Length && s[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(s, i + 1, '*'))
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? s.Length : end + 2;
            }
            else if (c == '\'')
            {
                i++;
                while (i < s.Length && s[i] != '\'')
                {
                    i += s[i] == '\\' ? 2 : 1;
                }
                i++;
            }
            else if (c is '$' or '@' or '"')
            {
                var start = i;
                var dollars = 0;
                var verbatim = false;
                while (i < s.Length && s[i] is '$' or '@')
                {
                    dollars += s[i] == '$' ? 1 : 0;
                    verbatim |= s[i] == '@';
                    i++;
                }
                if (!At(s, i, '"'))
                {
                    i = start + 1; // an identifier such as @event
                    continue;
                }
                found.Add(ReadString(s, ref i, dollars, verbatim, found));
            }
            else if (stopAtBrace && c == '{')
            {
                depth++;
                i++;
            }
            else if (stopAtBrace && c == '}')
            {
                i++;
                if (depth-- == 0)
                {
                    return;
                }
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>Reads one string literal starting at its first quote; literals inside its interpolation holes go to <paramref name="found"/>.</summary>
    private static string ReadString(string s, ref int i, int dollars, bool verbatim, List<string> found)
    {
        var quotes = 0;
        while (At(s, i + quotes, '"'))
        {
            quotes++;
        }
        var text = new StringBuilder();
        if (quotes >= 3)
        {
            // Raw string: ends at the same run of quotes; holes open with as many braces as there were dollars.
            i += quotes;
            var close = new string('"', quotes);
            while (i < s.Length && string.CompareOrdinal(s, i, close, 0, quotes) != 0)
            {
                if (dollars > 0 && string.CompareOrdinal(s, i, new string('{', dollars), 0, dollars) == 0)
                {
                    i += dollars;
                    ReadCode(s, ref i, found, stopAtBrace: true);
                    i += dollars - 1;
                    text.Append(' ');
                    continue;
                }
                text.Append(s[i++]);
            }
            i += quotes;
            return text.ToString();
        }
        if (quotes == 2 && !(verbatim && At(s, i + 2, '"')))
        {
            i += 2; // ""
            return "";
        }
        i++;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '"' && verbatim && At(s, i + 1, '"'))
            {
                text.Append('"');
                i += 2;
            }
            else if (c == '"')
            {
                i++;
                break;
            }
            else if (c == '\\' && !verbatim)
            {
                text.Append(s, i, Math.Min(2, s.Length - i));
                i += 2;
            }
            else if (dollars > 0 && c == '{' && At(s, i + 1, '{'))
            {
                text.Append('{');
                i += 2;
            }
            else if (dollars > 0 && c == '{')
            {
                i++;
                ReadCode(s, ref i, found, stopAtBrace: true);
                text.Append(' ');
            }
            else
            {
                text.Append(c);
                i++;
            }
        }
        return text.ToString();
    }

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;

    private static string FindEngineDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CinderBackup.sln")))
            {
                return Path.Combine(dir.FullName, "src", "CinderBackup.Engine");
            }
        }
        throw new InvalidOperationException($"No CinderBackup.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>SQL statements as this code base writes them (keywords in capitals; prose uses lower case).</summary>
    [GeneratedRegex(@"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bPRAGMA\s+\w|\b(?:CREATE|ALTER|DROP)\s+(?:TABLE|INDEX|UNIQUE\s+INDEX)\b|\bATTACH\s+DATABASE\b")]
    private static partial Regex Sql();
}
