using System.Management.Automation;
using CinderBackup.Engine.Errors;

namespace CinderBackup.Commands.Infrastructure;

/// <summary>The one place engine exceptions become ErrorRecords: stable id, fitting category, real target.</summary>
internal static class ErrorRecordFactory
{
    public const string UnexpectedError = "UnexpectedError";
    public const string OperationStopped = "OperationStopped";

    public static ErrorRecord Create(Exception exception, object? fallbackTarget = null)
    {
        switch (exception)
        {
            case CinderBackupException e:
                return new ErrorRecord(e, e.ErrorId, Category(e.Kind), e.Target ?? fallbackTarget);
            case OperationCanceledException:
                return new ErrorRecord(exception, OperationStopped, ErrorCategory.OperationStopped, fallbackTarget);
            case IOException:
                return new ErrorRecord(exception, UnexpectedError, ErrorCategory.WriteError, fallbackTarget);
            case UnauthorizedAccessException:
                return new ErrorRecord(exception, UnexpectedError, ErrorCategory.PermissionDenied, fallbackTarget);
            default:
                return new ErrorRecord(exception, UnexpectedError, ErrorCategory.NotSpecified, fallbackTarget);
        }
    }

    public static ErrorCategory Category(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.InvalidState => ErrorCategory.InvalidOperation,
        ErrorKind.Conflict => ErrorCategory.ResourceExists,
        ErrorKind.QuotaExceeded => ErrorCategory.QuotaExceeded,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.Busy => ErrorCategory.ResourceBusy,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.IOError => ErrorCategory.WriteError,
        ErrorKind.Cancelled => ErrorCategory.OperationStopped,
        ErrorKind.Timeout => ErrorCategory.OperationTimeout,
        ErrorKind.NotSupported => ErrorCategory.NotImplemented,
        ErrorKind.Configuration => ErrorCategory.InvalidData,
        _ => ErrorCategory.NotSpecified,
    };
}
