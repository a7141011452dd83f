using System.Net;
using Anytun.Engine.Routing;
using Anytun.Engine.Runtime;

namespace Anytun;

/// <summary>
/// Counters of one connection (one mux) of a tunnel, copied from an immutable engine snapshot.
/// Received/Sent count inner packets and inner bytes (before SATP encapsulation).
/// </summary>
public sealed class AnytunConnection
{
    internal AnytunConnection(string tunnelName, ConnectionSnapshot snapshot, IReadOnlyList<IPPrefix>? routes = null)
    {
        Origin = EngineEnumMap.FromEngine(snapshot.Origin);
        Role = EngineEnumMap.FromEngine(snapshot.Role);
        KdPrf = EngineEnumMap.FromEngine(snapshot.KdPrf);
        WindowSize = snapshot.WindowSize;
        ConfiguredRemoteAddress = snapshot.RemoteHost;
        Routes = routes ?? Array.Empty<IPPrefix>();
        TunnelName = tunnelName;
        Mux = snapshot.Mux;
        RemoteAddress = snapshot.RemoteEndPoint?.Address;
        RemotePort = snapshot.RemoteEndPoint?.Port;
        State = snapshot.State switch
        {
            ConnectionState.Waiting => AnytunConnectionState.Waiting,
            ConnectionState.Established => AnytunConnectionState.Established,
            _ => AnytunConnectionState.Closed,
        };
        PacketsReceived = snapshot.PacketsIn;
        BytesReceived = snapshot.BytesIn;
        PacketsSent = snapshot.PacketsOut;
        BytesSent = snapshot.BytesOut;
        DropsTooShort = snapshot.DropsTooShort;
        DropsBadTag = snapshot.DropsBadTag;
        DropsReplay = snapshot.DropsReplay;
        DropsWrongMux = snapshot.DropsWrongMux;
        DropsEmptyPayload = snapshot.DropsEmptyPayload;
        DropsWrongPayloadType = snapshot.DropsWrongPayloadType;
        DropsMalformed = snapshot.DropsMalformed;
        DropsNoRoute = snapshot.DropsNoRoute;
        DropsDeviceError = snapshot.DropsDeviceError;
        DropsSendError = snapshot.DropsSendError;
        DropsTotal = snapshot.Drops.Total;
        LastReceived = snapshot.LastReceived;
        NextSequence = snapshot.NextSequence;
    }

    /// <summary>Name of the tunnel; binds to Get-AnytunConnection -TunnelName by property name.</summary>
    public string TunnelName { get; }

    public ushort Mux { get; }

    /// <summary>Current peer address (follows the peer when it roams); null while unknown.</summary>
    public IPAddress? RemoteAddress { get; }

    public int? RemotePort { get; }

    /// <summary>Waiting (no authenticated datagram yet), Established, or Closed.</summary>
    public AnytunConnectionState State { get; }

    /// <summary>Authenticated inner packets written to the device.</summary>
    public long PacketsReceived { get; }

    public long BytesReceived { get; }

    /// <summary>Datagrams sent to the peer.</summary>
    public long PacketsSent { get; }

    /// <summary>Inner bytes sent to the peer.</summary>
    public long BytesSent { get; }

    public long DropsTooShort { get; }

    /// <summary>Datagrams whose authentication tag did not match (wrong key, corruption, attack).</summary>
    public long DropsBadTag { get; }

    /// <summary>Datagrams rejected by the replay window.</summary>
    public long DropsReplay { get; }

    public long DropsWrongMux { get; }

    public long DropsEmptyPayload { get; }

    public long DropsWrongPayloadType { get; }

    public long DropsMalformed { get; }

    public long DropsNoRoute { get; }

    public long DropsDeviceError { get; }

    public long DropsSendError { get; }

    /// <summary>Sum of every drop counter.</summary>
    public long DropsTotal { get; }

    /// <summary>UTC time of the last authenticated datagram; null if none yet.</summary>
    public DateTime? LastReceived { get; }

    /// <summary>Sequence number of the next datagram sent.</summary>
    public uint NextSequence { get; }

    /// <summary>Who created the connection: the tunnel's parameters, a learned peer, a cmdlet, a control host, sync or an import.</summary>
    public AnytunEntryOrigin Origin { get; }

    /// <summary>This side's role on the connection.</summary>
    public AnytunRole Role { get; }

    public AnytunKdPrf KdPrf { get; }

    /// <summary>Replay window size (0 = off).</summary>
    public uint WindowSize { get; }

    /// <summary>The remote host as configured (a name or a literal); null when the remote is learned.</summary>
    public string? ConfiguredRemoteAddress { get; }

    /// <summary>Prefixes routed to this connection.</summary>
    public IReadOnlyList<IPPrefix> Routes { get; }

    public override string ToString() => $"{TunnelName}/{Mux}";
}
