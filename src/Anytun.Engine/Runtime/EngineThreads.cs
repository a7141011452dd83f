using Anytun.Engine.Logging;
using Anytun.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Runtime;

/// <summary>
/// The engine threads of a running tunnel: one sender (the device reader) and one receiver per socket, each on a named
/// dedicated background thread with its own quiescent slot.
/// </summary>
internal sealed class EngineThreads
{
    private EngineThreads(SenderLoop sender, ReceiverLoop[] receivers, Thread[] threads)
    {
        Sender = sender;
        Receivers = receivers;
        Threads = threads;
    }

    public SenderLoop Sender { get; }

    public IReadOnlyList<ReceiverLoop> Receivers { get; }

    /// <summary>The sender's thread first, then one per receiver.</summary>
    public IReadOnlyList<Thread> Threads { get; }

    /// <summary>Creates the loops and starts their threads.</summary>
    public static EngineThreads Start(EngineContext context, string tunnelName)
    {
        var reclaimer = context.Control.Reclaimer;
        var sender = new SenderLoop(context, reclaimer.Register("sender"));
        context.Sender = sender;
        var sockets = context.Transport.Sockets;
        var localEndPoints = context.Transport.LocalEndPoints;
        var receivers = new ReceiverLoop[sockets.Count];
        var threads = new Thread[sockets.Count + 1];
        threads[0] = new Thread(sender.Run) { IsBackground = true, Name = $"anytun {tunnelName} sender" };
        for (var i = 0; i < sockets.Count; i++)
        {
            var name = $"anytun {tunnelName} receiver {UdpTransport.EndPointText(localEndPoints[i])}";
            receivers[i] = new ReceiverLoop(context, sockets[i], reclaimer.Register(name));
            threads[i + 1] = new Thread(receivers[i].Run) { IsBackground = true, Name = name };
        }

        sender.Receivers = receivers;
        foreach (var thread in threads)
        {
            thread.Start();
        }

        return new EngineThreads(sender, receivers, threads);
    }

    /// <summary>Shutdown, before the sockets are closed: wakes every receiver waiting in poll(), for good.</summary>
    public void InterruptReceivers()
    {
        foreach (var receiver in Receivers)
        {
            receiver.Interrupt();
        }
    }

    /// <summary>Waits for every thread (except the calling one) up to <paramref name="timeoutMilliseconds"/> each.</summary>
    public void Join(int timeoutMilliseconds, ILogger logger)
    {
        foreach (var thread in Threads)
        {
            if (thread.ManagedThreadId != Environment.CurrentManagedThreadId && !thread.Join(timeoutMilliseconds))
            {
                EngineLog.ThreadJoinTimeout(logger, thread.Name ?? "?", timeoutMilliseconds);
            }
        }
    }
}
