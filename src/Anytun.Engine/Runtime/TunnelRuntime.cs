using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Device;
using Anytun.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Runtime;

/// <summary>
/// What one run of a tunnel opened, in start order: device (+ -n), sockets, the -r connection, the engine threads.
/// <see cref="Stop"/> takes it down in the order that wakes every thread: flag → wake the receivers (for good) → close sockets
/// → close the device (wakes the sender) → join.
/// </summary>
internal sealed class TunnelRuntime
{
    private const int JoinTimeoutMilliseconds = 5000;

    private TunnelRuntime()
    {
    }

    public IPacketDevice? Device { get; private set; }

    public UdpTransport? Transport { get; private set; }

    public EngineContext? Context { get; private set; }

    public EngineThreads? Threads { get; private set; }

    /// <summary>Opens everything and starts the threads; on failure closes what it opened and rethrows.</summary>
    public static TunnelRuntime Start(
        string tunnelName,
        TunnelOptions options,
        IPacketDevice? injectedDevice,
        TunnelControl control,
        OffloadSettings offloads,
        IdleMode idleMode,
        ILogger logger,
        Action peerSeen,
        Action<string, Exception> loopFaulted,
        Action<Exception?> firstResolution,
        CancellationToken cancellationToken)
    {
        var runtime = new TunnelRuntime();
        try
        {
            var device = DeviceSetup.Open(options, injectedDevice, offloads, logger);
            runtime.Device = device;
            DeviceSetup.ConfigureInterface(device, options.IfConfig, logger);
            cancellationToken.ThrowIfCancellationRequested();

            runtime.Transport = TransportSetup.Bind(options, logger);
            var context = new EngineContext(device, runtime.Transport, control, options, logger, offloads, idleMode)
            {
                PeerSeen = peerSeen,
                LoopFaulted = loopFaulted,
            };
            runtime.Context = context;
            if (!string.IsNullOrEmpty(options.RemoteHost))
            {
                control.AddCommandLineConnection(options, firstResolution);
            }
            else
            {
                firstResolution(null);
            }

            cancellationToken.ThrowIfCancellationRequested();
            CodecWarmUp.RunOnce(context.Algorithms, cancellationToken);
            runtime.Threads = EngineThreads.Start(context, tunnelName);
            context.DropLog.Start();
            control.StartReclaiming();
            return runtime;
        }
        catch
        {
            runtime.Stop(logger);
            throw;
        }
    }

    /// <summary>Stops the threads and closes sockets and device. Idempotent.</summary>
    public void Stop(ILogger logger)
    {
        if (Context is not null)
        {
            Context.Stopping = true;
            Context.LoadMode?.Release();
        }

        Threads?.InterruptReceivers();
        Transport?.Dispose();
        Device?.Dispose();
        Threads?.Join(JoinTimeoutMilliseconds, logger);
        Context?.LoadMode?.Dispose();

        // The threads are gone: what they counted since the last summary goes into the log now.
        Context?.DropLog.Stop();
    }
}
