using Anytun.Engine.Connections;

namespace Anytun.Engine.Runtime;

/// <summary>The common frame of every engine thread: an unexpected exception faults the tunnel, errors during
/// shutdown (closed socket or device) are the normal end; on exit the thread leaves its quiescent critical section for
/// good and its crypto state is zeroed.</summary>
internal static class EngineThread
{
    public static void Run(EngineContext context, QuiescentReclaimer.ThreadSlot slot, Action body, Action cleanup)
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
            slot.Leave();
            cleanup();
        }
    }
}
