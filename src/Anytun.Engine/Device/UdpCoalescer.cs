using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Device;

/// <summary>
/// Receive-side coalescing of UDP datagrams for a tun device with IFF_VNET_HDR and USO: consecutive datagrams of one flow
/// with the same payload size (the last may be shorter) are written as one UDP_L4 GSO super-packet, which the kernel splits
/// back into the original datagrams when it delivers them (one system call and one IP-layer pass instead of one per datagram).
/// Only datagrams whose checksum verifies (or that carry none, IPv4) are merged; plain IPv4 without options and unfragmented,
/// or IPv6 without extension headers. On a tap device the datagrams are Ethernet frames: only untagged frames with the
/// same MAC addresses and EtherType merge, and the super-frame keeps that header. Single thread; no allocation after
/// construction.
/// </summary>
internal sealed class UdpCoalescer
{
    private const int MaxSuperPacket = 65535;
    private const int MaxSegments = 64;
    private const byte ProtocolUdp = 17;
    private const int UdpHeaderLength = 8;

    private readonly byte[] _buffer = GC.AllocateArray<byte>(VirtioNetHeader.Size + MaxSuperPacket, pinned: true);
    private readonly int _linkLength;
    private int _length;
    private int _segments;
    private int _transportOffset;
    private int _segmentSize;
    private bool _closed;

    /// <summary>A coalescer for a tun device (IP packets).</summary>
    public UdpCoalescer()
        : this(ethernet: false)
    {
    }

    /// <summary>A coalescer for a tun device, or with <paramref name="ethernet"/> for a tap device (Ethernet frames).</summary>
    public UdpCoalescer(bool ethernet)
    {
        _linkLength = ethernet ? EthernetFrame.HeaderLength : 0;
    }

    /// <summary>Datagrams held in the pending super-packet.</summary>
    public int PendingSegments => _segments;

    /// <summary>Offers one inner IP packet, or Ethernet frame on tap (checked, copied when held).</summary>
    [MethodImpl(PacketPath.Hot)]
    public CoalesceResult Offer(ReadOnlySpan<byte> frame)
    {
        if (!EthernetFrame.TryGetUntaggedIpPacket(frame, _linkLength, out var packet) || !TryParse(packet, out var transportOffset))
        {
            return CoalesceResult.NotCandidate;
        }

        var payloadLength = packet.Length - transportOffset - UdpHeaderLength;
        if (_segments == 0)
        {
            frame.CopyTo(_buffer.AsSpan(VirtioNetHeader.Size));
            _length = frame.Length;
            _segments = 1;
            _transportOffset = transportOffset;
            _segmentSize = payloadLength;
            _closed = false;
            return CoalesceResult.Held;
        }

        if (_closed || _segments == MaxSegments || payloadLength > _segmentSize || _length + payloadLength > MaxSuperPacket
            || !frame[.._linkLength].SequenceEqual(_buffer.AsSpan(VirtioNetHeader.Size, _linkLength))
            || !SameFlow(packet, transportOffset))
        {
            return CoalesceResult.FlushFirst;
        }

        packet[(transportOffset + UdpHeaderLength)..].CopyTo(_buffer.AsSpan(VirtioNetHeader.Size + _length));
        _length += payloadLength;
        _segments++;
        _closed = payloadLength < _segmentSize;
        return CoalesceResult.Held;
    }

    /// <summary>The pending packet with its virtio header, ready for one device write (empty when nothing is pending).</summary>
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
            PlainIpHeader.SetPacketLength(packet, _transportOffset);

            var udpLength = packet.Length - _transportOffset;
            BinaryPrimitives.WriteUInt16BigEndian(packet[(_transportOffset + 4)..], (ushort)udpLength);
            var pseudo = InternetChecksum.PseudoHeaderSum(packet, ProtocolUdp, udpLength);
            BinaryPrimitives.WriteUInt16BigEndian(packet[(_transportOffset + 6)..], (ushort)pseudo);
            new VirtioNetHeader(
                VirtioNetHeader.FlagNeedsChecksum,
                VirtioNetHeader.GsoUdpL4,
                (ushort)(_linkLength + _transportOffset + UdpHeaderLength),
                (ushort)_segmentSize,
                (ushort)(_linkLength + _transportOffset),
                6).Write(header);
        }

        var result = _buffer.AsSpan(0, VirtioNetHeader.Size + _length);
        _segments = 0;
        _length = 0;
        return result;
    }

    [MethodImpl(PacketPath.Hot)]
    private bool SameFlow(ReadOnlySpan<byte> packet, int transportOffset)
    {
        if (transportOffset != _transportOffset)
        {
            return false;
        }

        var pending = _buffer.AsSpan(VirtioNetHeader.Size + _linkLength, transportOffset + UdpHeaderLength);
        if (transportOffset == 40)
        {
            // Version/traffic class/flow label, next header + hop limit, addresses, ports.
            return packet[..4].SequenceEqual(pending[..4])
                && packet.Slice(6, 34).SequenceEqual(pending.Slice(6, 34))
                && packet.Slice(40, 4).SequenceEqual(pending.Slice(40, 4));
        }

        // TOS, DF, TTL + protocol, addresses, ports.
        return packet[1] == pending[1] && packet[6] == pending[6] && packet[8] == pending[8]
            && packet.Slice(12, 8).SequenceEqual(pending.Slice(12, 8))
            && packet.Slice(20, 4).SequenceEqual(pending.Slice(20, 4));
    }

    [MethodImpl(PacketPath.Hot)]
    private static bool TryParse(ReadOnlySpan<byte> packet, out int transportOffset)
    {
        if (!PlainIpHeader.TryGetTransportOffset(packet, ProtocolUdp, UdpHeaderLength, out transportOffset))
        {
            return false;
        }

        var udp = packet[transportOffset..];
        if (BinaryPrimitives.ReadUInt16BigEndian(udp[4..]) != udp.Length || udp.Length == UdpHeaderLength)
        {
            return false;
        }

        var checksum = BinaryPrimitives.ReadUInt16BigEndian(udp[6..]);
        if (checksum == 0)
        {
            // IPv4 (20-byte header) "no checksum" is fine to hand on as verified; IPv6 requires one.
            return transportOffset == 20;
        }

        var sum = InternetChecksum.Add(InternetChecksum.PseudoHeaderSum(packet, ProtocolUdp, udp.Length), InternetChecksum.Sum(udp));
        return InternetChecksum.Finish(sum) == 0;
    }
}
