namespace CinderBackup.Engine.Format;

/// <summary>
/// Ids as Cinder reads them (oslo's <c>uuidutils.is_uuid_like</c>, Python's <c>uuid.UUID</c>): <c>urn:</c> and
/// <c>uuid:</c> dropped, braces stripped from the ends, hyphens ignored, any case; what remains must be 32 hex digits.
/// One backup therefore has one id however a record spells it: the canonical lower-case 8-4-4-4-12 form.
/// </summary>
internal static class CinderUuid
{
    /// <summary>The canonical form of <paramref name="value"/>, or null when Cinder would not take it for a UUID.</summary>
    public static string? Normalize(string? value)
    {
        if (value is null)
        {
            return null;
        }
        var hex = value.Replace("urn:", "", StringComparison.Ordinal).Replace("uuid:", "", StringComparison.Ordinal)
            .Trim('{', '}').Replace("-", "", StringComparison.Ordinal);
        if (hex.Length != 32 || !hex.All(char.IsAsciiHexDigit))
        {
            return null;
        }
        hex = hex.ToLowerInvariant();
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
