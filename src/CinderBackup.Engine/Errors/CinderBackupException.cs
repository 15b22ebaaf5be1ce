
namespace CinderBackup.Engine.Errors;

/// <summary>
/// Every failure the engine reports. <see cref="ErrorId"/> is a stable token (documented in
/// about_CinderBackup); <see cref="Exception.Message"/> is the user-facing text, Cinder's where Cinder has one,
/// with any control character (a name imported from Cinder, an object name) shown as <c>\uXXXX</c>.
/// </summary>
public class CinderBackupException : Exception
{
    public CinderBackupException(string errorId, ErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(Util.PrintableText.Escape(message, keepNewlines: true), inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }

    public ErrorKind Kind { get; }

    /// <summary>The backup, volume, snapshot id or file path concerned.</summary>
    public object? Target { get; }
}
