using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Control;
using Anytun.Engine.Device;
using Anytun.Engine.Protocol;
using Anytun.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Runtime;

/// <summary>What the engine threads of one running tunnel share. Everything here is immutable or thread-safe.</summary>
internal sealed class EngineContext
{
    public EngineContext(
        IPacketDevice device,
        UdpTransport transport,
        TunnelControl control,
        TunnelOptions options,
        ILogger logger,
        OffloadSettings? offloads = null,
        IdleMode idleMode = IdleMode.Pipeline)
    {
        Device = device;
        Transport = transport;
        Control = control;
        Logger = logger;
        DeviceKind = device.Kind;
        SenderId = options.SenderId;
        LearnsRemote = string.IsNullOrEmpty(options.RemoteHost);
        Offloads = offloads ?? OffloadSettings.None;
        DeviceHeaderSize = device is LinuxTunDevice tun ? tun.VirtioHeaderSize : 0;
        DropLog = new DropLogReporter(logger, control.Connections, control.TunnelCounters);
        if (idleMode != IdleMode.Pipeline && device is IPollablePacketDevice { Readiness: not null })
        {
            LoadMode = LoadModeSwitch.TryCreate();
        }

        KeepsWarm = idleMode == IdleMode.SingleThreadWarm && LoadMode is not null;
    }

    /// <summary>Whether the carrier keeps its path warm while light traffic flows (<see cref="KeepWarm"/>).</summary>
    public bool KeepsWarm { get; }

    /// <summary>Who waits on the device (single-thread mode under light traffic); null = always the pipeline.</summary>
    public LoadModeSwitch? LoadMode { get; }

    /// <summary>Drop summaries and bad-tag warnings (each loop takes a counter from it).</summary>
    public DropLogReporter DropLog { get; }

    /// <summary>The device reader loop (receivers hand it the device when they have just written to it).</summary>
    public SenderLoop? Sender { get; set; }

    /// <summary>Which batching/offload paths the loops use.</summary>
    public OffloadSettings Offloads { get; }

    /// <summary>Bytes of virtio header in front of every device packet (0 without tun offloads).</summary>
    public int DeviceHeaderSize { get; }

    public IPacketDevice Device { get; }

    public UdpTransport Transport { get; }

    /// <summary>The tables (connections, routes), the reclaimer and the tunnel-level counters.</summary>
    public TunnelControl Control { get; }

    public ConnectionTable Connections => Control.Connections;

    public SatpAlgorithms Algorithms => Control.Algorithms;

    public ILogger Logger { get; }

    public DeviceType DeviceKind { get; }

    public ushort SenderId { get; }

    /// <summary>No -r: the first authenticated datagram creates the connection while the table is empty (spec §7).</summary>
    public bool LearnsRemote { get; }

    /// <summary>Drops that belong to no connection.</summary>
    public TrafficCounters TunnelCounters => Control.TunnelCounters;

    /// <summary>Set once shutdown begins; loops treat errors after that as the normal end.</summary>
    public volatile bool Stopping;

    /// <summary>Called (once per tunnel is enough) on the first authenticated datagram.</summary>
    public Action? PeerSeen { get; set; }

    /// <summary>Called when a loop dies of an unexpected exception.</summary>
    public Action<string, Exception>? LoopFaulted { get; set; }
}
