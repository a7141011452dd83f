namespace Anytun.Engine.Runtime;

/// <summary>The common frame of every engine thread: an unexpected exception faults the tunnel, errors during
/// shutdown (closed socket or device) are the normal end, and the thread's crypto state is zeroed on exit.</summary>
internal static class EngineThread
{
    public static void Run(EngineContext context, Action body, IDisposable ownedState)
    {
        try
        {
            body();
        }
        catch (Exception exception) when (!context.Stopping)
        {
            context.LoopFaulted?.Invoke(Thread.CurrentThread.Name ?? "engine", exception);
        }
        catch (Exception)
        {
            // Shutdown closed the socket or device under the loop.
        }
        finally
        {
            ownedState.Dispose();
        }
    }
}
