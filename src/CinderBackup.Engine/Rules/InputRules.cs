using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Rules;

/// <summary>Cinder's rules and messages for what users type: names, descriptions, metadata, volume sizes.</summary>
internal static class InputRules
{
    /// <summary>The largest volume size, in GiB.</summary>
    public const int MaxSizeGiB = 1 << 20;

    /// <summary>Cinder's rule and message for sizes: a positive integer.</summary>
    public static void ValidateSize(string raw, long size)
    {
        if (size <= 0 || size > MaxSizeGiB)
        {
            throw new CinderBackupException(ErrorIds.InvalidSize, ErrorKind.InvalidArgument,
                size > MaxSizeGiB
                    ? $"Invalid input received: Volume size '{raw}' is larger than the largest supported size ({MaxSizeGiB} GiB)."
                    : $"Invalid input received: Volume size '{raw}' must be an integer and greater than 0", raw);
        }
    }

    /// <summary>
    /// Names and descriptions: at most 255 characters (code points, as Cinder counts them) and, for what users
    /// type, no control characters. Records imported from Cinder keep whatever Cinder accepted.
    /// </summary>
    /// <summary>A host or zone name: 1 to 255 characters, none of them white space or control characters.</summary>
    public static string ValidateHostName(string value, string what)
    {
        ValidateText(value, what);
        if (value.Length == 0 || value.Any(char.IsWhiteSpace))
        {
            throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                $"Invalid input received: {what} '{PrintableText.Brief(value)}' must be a non-empty name without spaces.", value);
        }
        return value;
    }

    public static void ValidateText(string? value, string what, bool allowControl = false)
    {
        if (value is null)
        {
            return;
        }
        var length = value.EnumerateRunes().Count();
        if (length > 255)
        {
            throw new CinderBackupException(ErrorIds.InvalidName, ErrorKind.InvalidArgument,
                $"Invalid input received: {what} has {length} characters, more than the limit of 255.", value);
        }
        if (!allowControl && value.Any(char.IsControl))
        {
            throw new CinderBackupException(ErrorIds.InvalidName, ErrorKind.InvalidArgument,
                $"Invalid input received: {what} '{PrintableText.Brief(value)}' contains control characters.", value);
        }
    }

    public static void ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }
        foreach (var (k, v) in metadata)
        {
            if (string.IsNullOrEmpty(k) || k.Length > 255 || k.Any(char.IsControl))
            {
                throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                    $"Invalid metadata: key '{PrintableText.Brief(k ?? "")}' must be 1 to 255 characters without control characters.", k);
            }
            if (v is not null && (v.Length > 255 || v.Any(char.IsControl)))
            {
                throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                    $"Invalid metadata: the value of '{k}' must be at most 255 characters without control characters.", k);
            }
        }
    }
}
