using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Protocol;

namespace Anytun.Engine.Runtime;

/// <summary>Immutable point-in-time view of one connection (one mux) and its counters.</summary>
public sealed class ConnectionSnapshot
{
    internal ConnectionSnapshot(
        ushort mux,
        IPEndPoint? remoteEndPoint,
        ConnectionState state,
        long packetsIn,
        long bytesIn,
        long packetsOut,
        long bytesOut,
        DropCounters drops,
        DateTime? lastReceived,
        uint nextSequence)
    {
        Mux = mux;
        RemoteEndPoint = remoteEndPoint;
        State = state;
        PacketsIn = packetsIn;
        BytesIn = bytesIn;
        PacketsOut = packetsOut;
        BytesOut = bytesOut;
        Drops = drops;
        LastReceived = lastReceived;
        NextSequence = nextSequence;
    }

    public ushort Mux { get; }

    /// <summary>Where datagrams are sent; follows the peer when it roams. Null while unknown (learned from the first
    /// authenticated datagram, or a host name not resolved yet).</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    public ConnectionState State { get; }

    /// <summary>Inner packets written to the device.</summary>
    public long PacketsIn { get; }

    /// <summary>Inner bytes written to the device.</summary>
    public long BytesIn { get; }

    /// <summary>Datagrams sent to the peer.</summary>
    public long PacketsOut { get; }

    /// <summary>Inner bytes sent to the peer (before encapsulation).</summary>
    public long BytesOut { get; }

    /// <summary>All drop counters of this connection.</summary>
    public DropCounters Drops { get; }

    public long DropsTooShort => Drops[DropReason.TooShort];

    public long DropsBadTag => Drops[DropReason.BadTag];

    public long DropsReplay => Drops[DropReason.Replay];

    public long DropsWrongMux => Drops[DropReason.WrongMux];

    public long DropsEmptyPayload => Drops[DropReason.EmptyPayload];

    public long DropsWrongPayloadType => Drops[DropReason.WrongPayloadType];

    public long DropsMalformed => Drops[DropReason.Malformed];

    public long DropsNoRoute => Drops[DropReason.NoRoute];

    public long DropsDeviceError => Drops[DropReason.DeviceError];

    public long DropsSendError => Drops[DropReason.SendError];

    public long DropsNoSocket => Drops[DropReason.NoSocket];

    public long DropsNoRemote => Drops[DropReason.NoRemote];

    public long DropsRoutingLoop => Drops[DropReason.RoutingLoop];

    /// <summary>Who created the connection (command line, learned, cmdlet, control host, sync, import).</summary>
    public EntryOrigin Origin { get; init; }

    /// <summary>Role of this side on the connection (selects the key-derivation labels).</summary>
    public Role Role { get; init; }

    public KeyDerivationPrf KdPrf { get; init; }

    /// <summary>Replay window size; 0 = replay protection off.</summary>
    public uint WindowSize { get; init; }

    /// <summary>The remote host name or address as configured; null when the remote is only learned.</summary>
    public string? RemoteHost { get; init; }

    /// <summary>The configured remote port, or the port of the learned remote.</summary>
    public int? RemotePort { get; init; }

    /// <summary>UTC time the connection was created.</summary>
    public DateTime CreatedUtc { get; init; }

    /// <summary>
    /// Authenticated datagrams from another address that did not move the remote because their sequence number was not
    /// above the peer's latest (replays from elsewhere; or a peer that restarted on a new source port, which is followed
    /// once its sequence passes the old one).
    /// </summary>
    public long RemoteChangesRefused { get; init; }

    /// <summary>UTC time of the last authenticated datagram (after the replay check); null if none yet.</summary>
    public DateTime? LastReceived { get; }

    /// <summary>The sequence number the next sent datagram will carry.</summary>
    public uint NextSequence { get; }
}
