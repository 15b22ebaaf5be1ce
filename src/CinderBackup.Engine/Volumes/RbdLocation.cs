using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Volumes;

/// <summary>
/// An RBD image, or one of its snapshots, as a volume's or snapshot's path: <c>rbd:POOL/IMAGE[@SNAP]</c>. The scheme
/// keeps it apart from file paths (always absolute), so a path alone says which back end reads it.
/// </summary>
internal sealed record RbdLocation(string Pool, string Image, string? Snapshot = null)
{
    public const string Scheme = "rbd:";

    public static bool Is(string? path) => path is not null && path.StartsWith(Scheme, StringComparison.Ordinal);

    /// <summary>The catalog's form, <c>rbd:POOL/IMAGE[@SNAP]</c>.</summary>
    public string Path => Scheme + this;

    public RbdLocation At(string snapshot) => this with { Snapshot = snapshot };

    public override string ToString() => $"{Pool}/{Image}" + (Snapshot is null ? "" : "@" + Snapshot);

    /// <summary>A path the catalog holds (written by us, so well formed).</summary>
    public static RbdLocation FromPath(string path)
    {
        var spec = path[Scheme.Length..];
        var at = spec.IndexOf('@', StringComparison.Ordinal);
        var snapshot = at < 0 ? null : spec[(at + 1)..];
        var slash = spec.IndexOf('/', StringComparison.Ordinal);
        return new RbdLocation(spec[..slash], spec[(slash + 1)..(at < 0 ? spec.Length : at)], snapshot);
    }

    /// <summary>A user's <c>POOL/IMAGE</c> (as <c>rbd</c> takes it): both parts present, no snapshot, nothing a name cannot hold.</summary>
    public static RbdLocation ParseSpec(string? spec)
    {
        var text = spec ?? "";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var problem =
            string.IsNullOrWhiteSpace(text) ? "it is empty"
            : text.Any(char.IsControl) ? "it holds control characters"
            : text.Length > 512 ? "it is longer than 512 characters"
            : slash <= 0 || slash == text.Length - 1 ? "it must be POOL/IMAGE"
            : text.IndexOf('/', slash + 1) >= 0 ? "it must be POOL/IMAGE (one '/'; RBD namespaces are not supported)"
            : text.Contains('@', StringComparison.Ordinal) ? "it names a snapshot ('@'); register the image itself"
            : text.Any(char.IsWhiteSpace) ? "pool and image names hold no spaces"
            : null;
        if (problem is not null)
        {
            throw new CinderBackupException(ErrorIds.InvalidPath, ErrorKind.InvalidArgument,
                $"Invalid RBD image '{PrintableText.Brief(text)}': {problem}.", text);
        }
        return new RbdLocation(text[..slash], text[(slash + 1)..]);
    }
}
