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
        exception = Unwrap(exception);
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

    /// <summary>The engine's own exception inside the wrappers a Task or a reflection call adds.</summary>
    internal static Exception Unwrap(Exception exception)
    {
        while (true)
        {
            switch (exception)
            {
                case AggregateException a when a.Flatten().InnerExceptions.Count == 1:
                    exception = a.Flatten().InnerExceptions[0];
                    break;
                case System.Reflection.TargetInvocationException { InnerException: { } inner }:
                    exception = inner;
                    break;
                default:
                    return exception;
            }
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
