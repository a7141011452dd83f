using System.Net;

namespace Anytun;

/// <summary>A point-in-time view of a started tunnel (Get-AnytunTunnel, Stop-AnytunTunnel -PassThru, post-up ScriptBlocks).</summary>
public sealed class AnytunTunnel
{
    internal AnytunTunnel(
        string name,
        AnytunTunnelState state,
        string? deviceName,
        AnytunTunnelDefinition definition,
        IReadOnlyList<IPEndPoint> localEndPoints,
        IPEndPoint? remoteEndPoint,
        int? jobId,
        DateTime startTime)
    {
        Name = name;
        State = state;
        DeviceName = deviceName;
        Definition = definition;
        LocalEndPoints = localEndPoints;
        RemoteEndPoint = remoteEndPoint;
        JobId = jobId;
        StartTime = startTime;
    }

    public string Name { get; }

    public AnytunTunnelState State { get; }

    /// <summary>The device the kernel created (e.g. tun0), or null before the device is open.</summary>
    public string? DeviceName { get; }

    public AnytunDeviceType DeviceType => Definition.DeviceType;

    public string? InterfaceAddress => Definition.InterfaceAddress;

    /// <summary>Bound UDP endpoints (one per address family).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints { get; }

    /// <summary>The bound UDP port (the one the kernel chose for -LocalPort 0); null before the socket is bound.</summary>
    public int? LocalPort => LocalEndPoints.Count > 0 ? LocalEndPoints[0].Port : null;

    /// <summary>Where the peer currently is (learnt from authenticated datagrams or -RemoteAddress) when the tunnel has exactly
    /// one connection; null if unknown or with several connections (Get-AnytunConnection shows each).</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    public ushort Mux => Definition.Mux;

    public AnytunCipher Cipher => Definition.Cipher;

    public AnytunAuthAlgorithm AuthAlgorithm => Definition.AuthAlgorithm;

    /// <summary>Id of the AnytunTunnel job (Get-Job -Id); null for a tunnel run with -Wait.</summary>
    public int? JobId { get; }

    public DateTime StartTime { get; }

    /// <summary>The definition the tunnel was started from.</summary>
    public AnytunTunnelDefinition Definition { get; }

    /// <summary>How many connections (muxes) the tunnel has.</summary>
    public int ConnectionCount { get; internal set; }

    /// <summary>How many routes (prefix to mux) the tunnel has.</summary>
    public int RouteCount { get; internal set; }

    /// <summary>True when packets from the device are routed by destination (a connection or route was added at run time).</summary>
    public bool RoutingEnabled { get; internal set; }

    /// <summary>How the tunnel waits while traffic is light (Start-AnytunTunnel -IdleMode).</summary>
    public AnytunIdleMode IdleMode { get; internal set; }

    /// <summary>Datagrams for a mux the tunnel has no connection for (counted on the tunnel, not on a connection).</summary>
    public long DropsWrongMux { get; internal set; }

    /// <summary>Datagrams too short to be SATP, or that failed authentication before any connection existed.</summary>
    public long DropsGarbage { get; internal set; }

    /// <summary>Packets from the device whose destination matched no route.</summary>
    public long DropsNoRoute { get; internal set; }

    /// <summary>Packets routed to a mux that has no connection.</summary>
    public long DropsNoConnection { get; internal set; }

    /// <summary>Every drop that belongs to no connection.</summary>
    public long TunnelDropsTotal { get; internal set; }

    public override string ToString() => Name;
}
