using System.Net.Sockets;

namespace Anytun.Engine.Tests.Support;

/// <summary>
/// Deadlines for everything a test blocks on: a failure names what it waited for instead of hanging the run.
/// </summary>
internal static class TestDeadline
{
    /// <summary>Generous enough for a loaded 2-core CI machine, far below the suite's 120 s hang guard.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    /// <summary>Waits for <paramref name="task"/> and rethrows its failure; fails after <paramref name="timeout"/>.</summary>
    public static void Wait(Task task, TimeSpan timeout, string what)
    {
        if (!task.Wait(timeout))
        {
            Assert.Fail(Message(timeout, what));
        }
    }

    /// <summary>The result of <paramref name="task"/>; fails after <paramref name="timeout"/>.</summary>
    public static T Wait<T>(Task<T> task, TimeSpan timeout, string what)
    {
        Wait((Task)task, timeout, what);
        return task.Result;
    }

    /// <summary>Joins <paramref name="thread"/>; fails after <paramref name="timeout"/>.</summary>
    public static void Join(Thread thread, TimeSpan timeout, string what)
    {
        if (!thread.Join(timeout))
        {
            Assert.Fail(Message(timeout, what));
        }
    }

    /// <summary>
    /// Runs a blocking <paramref name="body"/> on a dedicated background thread and returns its result. After
    /// <paramref name="timeout"/>, <paramref name="unblock"/> runs (e.g. disposes the device the body reads from) and
    /// the test fails naming <paramref name="what"/>. Exceptions of the body are rethrown.
    /// </summary>
    public static T Run<T>(Func<T> body, TimeSpan timeout, string what, Action? unblock = null)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = body();
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        })
        {
            IsBackground = true,
            Name = $"deadline: {what}",
        };
        thread.Start();
        if (!thread.Join(timeout))
        {
            unblock?.Invoke();
            Assert.Fail(Message(timeout, what));
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return result;
    }

    /// <inheritdoc cref="Run{T}(Func{T}, TimeSpan, string, Action?)"/>
    public static void Run(Action body, TimeSpan timeout, string what, Action? unblock = null) =>
        Run(() => { body(); return true; }, timeout, what, unblock);

    /// <summary>Waits until <paramref name="socket"/> has a datagram (or connection) to read; fails after <paramref name="timeout"/>.</summary>
    public static void WaitReadable(Socket socket, TimeSpan timeout, string what)
    {
        if (!socket.Poll(timeout, SelectMode.SelectRead))
        {
            Assert.Fail(Message(timeout, what));
        }
    }

    private static string Message(TimeSpan timeout, string what) => $"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}";
}
