using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Device;

/// <summary>What <see cref="TcpCoalescer.Offer"/> did with a packet.</summary>
internal enum CoalesceResult
{
    /// <summary>The packet is held (started or extended the pending super-packet).</summary>
    Held,

    /// <summary>The packet does not continue the pending one: write the pending one, then offer again.</summary>
    FlushFirst,

    /// <summary>Not a packet to coalesce (not TCP data, flags, options...): write the pending one, then this one as is.</summary>
    NotCandidate,
}

/// <summary>
/// Receive-side GRO for a tun device with IFF_VNET_HDR: consecutive in-order TCP segments of one flow (as a peer's TSO
/// burst arrives) are merged into one super-packet written with one system call, with a virtio header that tells the kernel
/// the segment size (it delivers it locally as one, or re-segments it when forwarding). Only segments whose checksum
/// verifies are merged, and only where Linux GRO would merge them: same addresses, ports, ack, window and options, no
/// SYN/FIN/RST/URG/ECN flags, plain IPv4 (no options, not fragmented) or IPv6 without extension headers. On a tap
/// device the packets are Ethernet frames: only untagged frames with the same MAC addresses and EtherType merge, and the
/// super-frame keeps that header (the virtio offsets then count it).
/// Single thread; no allocation after construction.
/// </summary>
internal sealed class TcpCoalescer
{
    private const int MinTcpHeaderLength = 20;
    private const int MaxSuperPacket = 65535;
    private const byte ProtocolTcp = 6;
    private const byte TcpFlagPsh = 0x08;
    private const byte TcpFlagAck = 0x10;

    private readonly byte[] _buffer = GC.AllocateArray<byte>(VirtioNetHeader.Size + MaxSuperPacket, pinned: true);
    private readonly int _linkLength;
    private int _length;
    private int _segments;
    private int _transportOffset;
    private int _headerLength;
    private int _segmentSize;
    private uint _nextSequence;
    private bool _closed;

    /// <summary>A coalescer for a tun device (IP packets).</summary>
    public TcpCoalescer()
        : this(ethernet: false)
    {
    }

    /// <summary>A coalescer for a tun device, or with <paramref name="ethernet"/> for a tap device (Ethernet frames).</summary>
    public TcpCoalescer(bool ethernet)
    {
        _linkLength = ethernet ? EthernetFrame.HeaderLength : 0;
    }

    /// <summary>Packets held in the pending super-packet.</summary>
    public int PendingSegments => _segments;

    /// <summary>Offers one inner IP packet, or Ethernet frame on tap (checked, copied when held).</summary>
    [MethodImpl(PacketPath.Hot)]
    public CoalesceResult Offer(ReadOnlySpan<byte> frame)
    {
        if (!EthernetFrame.TryGetUntaggedIpPacket(frame, _linkLength, out var packet) || !TryParse(packet, out var transportOffset, out var headerLength))
        {
            return CoalesceResult.NotCandidate;
        }

        var payloadLength = packet.Length - headerLength;
        if (_segments == 0)
        {
            Start(frame, packet, transportOffset, headerLength, payloadLength);
            return CoalesceResult.Held;
        }

        if (_closed || payloadLength > _segmentSize || _length + payloadLength > MaxSuperPacket
            || !frame[.._linkLength].SequenceEqual(_buffer.AsSpan(VirtioNetHeader.Size, _linkLength))
            || !Continues(packet, transportOffset, headerLength))
        {
            return CoalesceResult.FlushFirst;
        }

        packet[headerLength..].CopyTo(_buffer.AsSpan(VirtioNetHeader.Size + _length));
        _length += payloadLength;
        _segments++;
        _nextSequence += (uint)payloadLength;
        var flags = packet[transportOffset + 13];
        if ((flags & TcpFlagPsh) != 0)
        {
            // PSH ends a burst: carry it on the super-packet and take nothing more.
            _buffer[VirtioNetHeader.Size + _linkLength + _transportOffset + 13] |= TcpFlagPsh;
            _closed = true;
        }

        if (payloadLength < _segmentSize)
        {
            _closed = true;
        }

        return CoalesceResult.Held;
    }

    /// <summary>
    /// The pending packet with its virtio header, ready for one device write (empty when nothing is pending); the
    /// coalescer is empty afterwards. A lone packet goes out unchanged with an all-zero header.
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    public ReadOnlySpan<byte> TakePending()
    {
        if (_segments == 0)
        {
            return ReadOnlySpan<byte>.Empty;
        }

        var packet = _buffer.AsSpan(VirtioNetHeader.Size + _linkLength, _length - _linkLength);
        var header = _buffer.AsSpan(0, VirtioNetHeader.Size);
        if (_segments == 1)
        {
            header.Clear();
        }
        else
        {
            var isV6 = (packet[0] >> 4) == 6;
            PlainIpHeader.SetPacketLength(packet, _transportOffset);

            // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum; the kernel treats the data as verified.
            var transportLength = packet.Length - _transportOffset;
            var pseudo = InternetChecksum.PseudoHeaderSum(packet, ProtocolTcp, transportLength);
            BinaryPrimitives.WriteUInt16BigEndian(packet[(_transportOffset + 16)..], (ushort)pseudo);
            new VirtioNetHeader(
                VirtioNetHeader.FlagNeedsChecksum,
                isV6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4,
                (ushort)(_linkLength + _headerLength),
                (ushort)_segmentSize,
                (ushort)(_linkLength + _transportOffset),
                16).Write(header);
        }

        var result = _buffer.AsSpan(0, VirtioNetHeader.Size + _length);
        _segments = 0;
        _length = 0;
        _closed = false;
        return result;
    }

    [MethodImpl(PacketPath.Hot)]
    private void Start(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> packet, int transportOffset, int headerLength, int payloadLength)
    {
        frame.CopyTo(_buffer.AsSpan(VirtioNetHeader.Size));
        _length = frame.Length;
        _segments = 1;
        _transportOffset = transportOffset;
        _headerLength = headerLength;
        _segmentSize = payloadLength;
        _nextSequence = BinaryPrimitives.ReadUInt32BigEndian(packet[(transportOffset + 4)..]) + (uint)payloadLength;
        _closed = (packet[transportOffset + 13] & TcpFlagPsh) != 0;
    }

    [MethodImpl(PacketPath.Hot)]
    private bool Continues(ReadOnlySpan<byte> packet, int transportOffset, int headerLength)
    {
        if (transportOffset != _transportOffset || headerLength != _headerLength)
        {
            return false;
        }

        var pending = _buffer.AsSpan(VirtioNetHeader.Size + _linkLength, _headerLength);
        var isV6 = (packet[0] >> 4) == 6;
        if (isV6 != ((pending[0] >> 4) == 6))
        {
            return false;
        }

        if (isV6)
        {
            // Version/traffic class/flow label, next header + hop limit, addresses.
            if (!packet[..4].SequenceEqual(pending[..4]) || !packet.Slice(6, 34).SequenceEqual(pending.Slice(6, 34)))
            {
                return false;
            }
        }
        else if (packet[1] != pending[1] || packet[8] != pending[8] || !packet.Slice(12, 8).SequenceEqual(pending.Slice(12, 8)) || packet[6] != pending[6])
        {
            // TOS, TTL, addresses, DF bit.
            return false;
        }

        var tcp = packet[transportOffset..];
        var pendingTcp = pending[transportOffset..];
        if (BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]) != _nextSequence)
        {
            return false;
        }

        // Ports; ack; data offset and window (flags other than PSH checked in TryParse); options.
        return tcp[..4].SequenceEqual(pendingTcp[..4])
            && tcp.Slice(8, 4).SequenceEqual(pendingTcp.Slice(8, 4))
            && tcp[12] == pendingTcp[12]
            && tcp.Slice(14, 2).SequenceEqual(pendingTcp.Slice(14, 2))
            && tcp[20..(headerLength - transportOffset)].SequenceEqual(pendingTcp[20..(headerLength - transportOffset)]);
    }

    /// <summary>A TCP data segment with only ACK (and maybe PSH) set, a plain IP header and a valid checksum.</summary>
    [MethodImpl(PacketPath.Hot)]
    private static bool TryParse(ReadOnlySpan<byte> packet, out int transportOffset, out int headerLength)
    {
        headerLength = 0;
        if (!PlainIpHeader.TryGetTransportOffset(packet, ProtocolTcp, MinTcpHeaderLength, out transportOffset))
        {
            return false;
        }

        var tcpHeaderLength = (packet[transportOffset + 12] >> 4) * 4;
        headerLength = transportOffset + tcpHeaderLength;
        var flags = packet[transportOffset + 13];
        if (tcpHeaderLength < MinTcpHeaderLength || packet.Length <= headerLength || (flags & ~TcpFlagPsh) != TcpFlagAck)
        {
            return false;
        }

        // Merged segments are handed over as verified: verify each one here, as GRO does.
        var sum = InternetChecksum.Add(
            InternetChecksum.PseudoHeaderSum(packet, ProtocolTcp, packet.Length - transportOffset),
            InternetChecksum.Sum(packet[transportOffset..]));
        return InternetChecksum.Finish(sum) == 0;
    }
}
