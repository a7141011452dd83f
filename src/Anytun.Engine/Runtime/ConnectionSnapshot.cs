using System.Net;
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

    /// <summary>Where datagrams are sent; follows the peer when it roams.</summary>
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

    /// <summary>UTC time of the last authenticated datagram (after the replay check); null if none yet.</summary>
    public DateTime? LastReceived { get; }

    /// <summary>The sequence number the next sent datagram will carry.</summary>
    public uint NextSequence { get; }
}
