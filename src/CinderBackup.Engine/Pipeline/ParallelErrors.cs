using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;

namespace CinderBackup.Engine.Pipeline;

/// <summary>
/// What failed in a parallel loop, as the caller would have seen it had the work run on one thread: the first of our
/// own errors, else the first that is not a cancellation, thrown again with its stack (not "One or more errors occurred").
/// </summary>
internal static class ParallelErrors
{
    /// <summary><see cref="Parallel.For{TLocal}(long, long, ParallelOptions, Func{TLocal}, Func{long, ParallelLoopState, TLocal, TLocal}, Action{TLocal})"/>, failing as <see cref="Rethrow"/> does.</summary>
    public static void For<TLocal>(long fromInclusive, long toExclusive, ParallelOptions options, Func<TLocal> localInit,
        Func<long, ParallelLoopState, TLocal, TLocal> body, Action<TLocal> localFinally)
    {
        try
        {
            Parallel.For(fromInclusive, toExclusive, options, localInit, body, localFinally);
        }
        catch (AggregateException e)
        {
            Rethrow(e);
        }
    }

    [DoesNotReturn]
    public static void Rethrow(AggregateException e)
    {
        var flat = e.Flatten().InnerExceptions;
        var first = flat.FirstOrDefault(x => x is Errors.CinderBackupException)
            ?? flat.FirstOrDefault(x => x is not OperationCanceledException) ?? flat[0];
        ExceptionDispatchInfo.Capture(first).Throw();
        throw first; // not reached
    }
}
