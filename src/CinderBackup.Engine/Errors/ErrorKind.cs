namespace CinderBackup.Engine.Errors;

/// <summary>What kind of failure an engine error is; front ends map it to an ErrorCategory or exit code.</summary>
public enum ErrorKind
{
    InvalidArgument,
    NotFound,
    InvalidState,
    Conflict,
    QuotaExceeded,
    PermissionDenied,
    Busy,
    InvalidData,
    IOError,
    Cancelled,
    Timeout,
    NotSupported,
    Configuration,
}
