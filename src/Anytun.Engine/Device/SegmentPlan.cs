namespace Anytun.Engine.Device;

/// <summary>How one TSO/USO super-packet splits into MTU-sized packets (see <see cref="GsoSegmenter"/>).</summary>
internal readonly struct SegmentPlan
{
    public SegmentPlan(int networkOffset, int transportOffset, int headerLength, int segmentSize, int payloadLength, bool isTcp, bool isIPv6)
    {
        NetworkOffset = networkOffset;
        TransportOffset = transportOffset;
        HeaderLength = headerLength;
        SegmentSize = segmentSize;
        PayloadLength = payloadLength;
        IsTcp = isTcp;
        IsIPv6 = isIPv6;
        Count = (payloadLength + segmentSize - 1) / segmentSize;
    }

    /// <summary>Offset of the IP header: 0 on tun, the Ethernet header (and VLAN tags) on tap.</summary>
    public int NetworkOffset { get; }

    /// <summary>Offset of the TCP/UDP header (link + IP header length).</summary>
    public int TransportOffset { get; }

    /// <summary>Link + IP + TCP/UDP header bytes copied in front of every segment.</summary>
    public int HeaderLength { get; }

    /// <summary>Payload bytes per segment (gso_size); the last one may carry fewer.</summary>
    public int SegmentSize { get; }

    public int PayloadLength { get; }

    public bool IsTcp { get; }

    public bool IsIPv6 { get; }

    public int Count { get; }

    /// <summary>Length of segment <paramref name="index"/> including its headers.</summary>
    public int SegmentLength(int index) => HeaderLength + Math.Min(SegmentSize, PayloadLength - (index * SegmentSize));
}
