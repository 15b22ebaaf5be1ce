using System.Net;

namespace CinderBackup.Engine.ObjectStores.S3;

/// <summary>S3's rules for bucket names (general purpose buckets), checked before any request.</summary>
internal static class S3BucketNames
{
    /// <summary>Why S3 would reject <paramref name="name"/> as a bucket name, or null when it is valid.</summary>
    public static string? Problem(string name)
    {
        if (name.Length is < 3 or > 63)
        {
            return "a bucket name has 3 to 63 characters";
        }
        if (!name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-'))
        {
            return "a bucket name holds only lowercase letters, digits, '.' and '-'";
        }
        if (!char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
        {
            return "a bucket name starts and ends with a letter or digit";
        }
        if (name.Contains("..") || name.Contains(".-") || name.Contains("-."))
        {
            return "a bucket name has no '..', '.-' or '-.'";
        }
        if (IPAddress.TryParse(name, out _) && name.Count(c => c == '.') == 3)
        {
            return "a bucket name is not an IP address";
        }
        if (name.StartsWith("xn--", StringComparison.Ordinal) || name.StartsWith("sthree-", StringComparison.Ordinal)
            || name.EndsWith("-s3alias", StringComparison.Ordinal) || name.EndsWith("--ol-s3", StringComparison.Ordinal))
        {
            return "a bucket name does not use the reserved prefixes xn-- and sthree- or suffixes -s3alias and --ol-s3";
        }
        return null;
    }
}
