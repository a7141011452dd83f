using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Device;

/// <summary>
/// Splits the TCP (TSO) and UDP (USO) super-packets a tun or tap device with offloads hands over into the packets a peer without
/// offloads expects — what the kernel's own GSO would have put on the wire: IPv4 ids counting up, TCP sequence numbers
/// advancing, FIN/PSH only on the last segment, CWR only on the first, and complete IP/TCP/UDP checksums.
/// Also completes the checksum of a single packet the kernel left partial (CHECKSUM_PARTIAL).
/// </summary>
internal static class GsoSegmenter
{
    private const byte ProtocolTcp = 6;
    private const byte ProtocolUdp = 17;
    private const int IPv6HeaderLength = 40;
    private const int UdpHeaderLength = 8;
    private const int TcpChecksumOffset = 16;
    private const int UdpChecksumOffset = 6;
    private const byte TcpFin = 0x01;
    private const byte TcpPsh = 0x08;
    private const byte TcpCwr = 0x80;

    /// <summary>Checks the super-packet of a tun device (an IP packet) and computes how it splits; false for anything malformed or not TCP/UDP GSO.</summary>
    [MethodImpl(PacketPath.Hot)]
    public static bool TryPlan(ReadOnlySpan<byte> packet, in VirtioNetHeader header, out SegmentPlan plan) =>
        TryPlan(packet, header, ethernet: false, out plan);

    /// <summary>
    /// Checks the super-packet and computes how it splits; with <paramref name="ethernet"/> (a tap device) it is an Ethernet
    /// frame whose link header (and VLAN tags) every segment keeps. The virtio header's offsets count from the frame start.
    /// False for anything malformed or not TCP/UDP GSO.
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    public static bool TryPlan(ReadOnlySpan<byte> packet, in VirtioNetHeader header, bool ethernet, out SegmentPlan plan)
    {
        plan = default;
        var kind = header.GsoKind;
        var isTcp = kind is VirtioNetHeader.GsoTcpV4 or VirtioNetHeader.GsoTcpV6;
        if ((!isTcp && kind != VirtioNetHeader.GsoUdpL4) || header.GsoSize == 0)
        {
            return false;
        }

        var networkOffset = 0;
        var linkVersion = 0;
        if (ethernet && !EthernetFrame.TryGetNetworkOffset(packet, out networkOffset, out linkVersion))
        {
            return false;
        }

        if (packet.Length < networkOffset + 20)
        {
            return false;
        }

        var ip = packet[networkOffset..];
        var version = ip[0] >> 4;
        if (ethernet && version != linkVersion)
        {
            return false;
        }

        int transportOffset;
        if (version == 4)
        {
            transportOffset = networkOffset + ((ip[0] & 0xF) * 4);
            if (transportOffset < networkOffset + 20 || ip[9] != (isTcp ? ProtocolTcp : ProtocolUdp) || kind == VirtioNetHeader.GsoTcpV6)
            {
                return false;
            }
        }
        else if (version == 6)
        {
            // The kernel's checksum start is the transport header, past any extension headers.
            transportOffset = header.ChecksumStart;
            if (transportOffset < networkOffset + IPv6HeaderLength || kind == VirtioNetHeader.GsoTcpV4)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        if (packet.Length < transportOffset + (isTcp ? 20 : UdpHeaderLength))
        {
            return false;
        }

        var transportLength = isTcp ? (packet[transportOffset + 12] >> 4) * 4 : UdpHeaderLength;
        var headerLength = transportOffset + transportLength;
        if (transportLength < (isTcp ? 20 : UdpHeaderLength) || packet.Length <= headerLength)
        {
            return false;
        }

        plan = new SegmentPlan(networkOffset, transportOffset, headerLength, header.GsoSize, packet.Length - headerLength, isTcp, version == 6);
        return true;
    }

    /// <summary>Writes segment <paramref name="index"/> of <paramref name="plan"/> to <paramref name="destination"/>; returns its length.</summary>
    [MethodImpl(PacketPath.Hot)]
    public static int WriteSegment(ReadOnlySpan<byte> packet, in SegmentPlan plan, int index, Span<byte> destination)
    {
        var payloadOffset = index * plan.SegmentSize;
        var payloadLength = Math.Min(plan.SegmentSize, plan.PayloadLength - payloadOffset);
        var length = plan.HeaderLength + payloadLength;
        var segment = destination[..length];
        packet[..plan.HeaderLength].CopyTo(segment);
        packet.Slice(plan.HeaderLength + payloadOffset, payloadLength).CopyTo(segment[plan.HeaderLength..]);

        // The IP packet behind the link header (a tap frame's Ethernet header is copied unchanged).
        var ip = segment[plan.NetworkOffset..];
        var ipLength = length - plan.NetworkOffset;
        if (plan.IsIPv6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(ipLength - IPv6HeaderLength));
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
            var id = BinaryPrimitives.ReadUInt16BigEndian(packet[(plan.NetworkOffset + 4)..]);
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(id + index));
            PlainIpHeader.WriteIPv4HeaderChecksum(segment[plan.NetworkOffset..plan.TransportOffset]);
        }

        var transport = segment[plan.TransportOffset..];
        int checksumOffset;
        byte protocol;
        if (plan.IsTcp)
        {
            var sequence = BinaryPrimitives.ReadUInt32BigEndian(packet[(plan.TransportOffset + 4)..]);
            BinaryPrimitives.WriteUInt32BigEndian(transport[4..], sequence + (uint)payloadOffset);
            var flags = transport[13];
            if (index + 1 < plan.Count)
            {
                flags &= unchecked((byte)~(TcpFin | TcpPsh));
            }

            if (index > 0)
            {
                flags &= unchecked((byte)~TcpCwr);
            }

            transport[13] = flags;
            checksumOffset = TcpChecksumOffset;
            protocol = ProtocolTcp;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(transport[4..], (ushort)transport.Length);
            checksumOffset = UdpChecksumOffset;
            protocol = ProtocolUdp;
        }

        transport[checksumOffset] = 0;
        transport[checksumOffset + 1] = 0;
        var sum = InternetChecksum.Add(InternetChecksum.PseudoHeaderSum(ip, protocol, transport.Length), InternetChecksum.Sum(transport));
        var checksum = InternetChecksum.Finish(sum);
        if (checksum == 0 && !plan.IsTcp)
        {
            checksum = 0xFFFF;
        }

        BinaryPrimitives.WriteUInt16BigEndian(transport[checksumOffset..], checksum);
        return length;
    }

    /// <summary>
    /// Finishes a checksum the kernel left partial: the field at start+offset already holds the pseudo-header sum.
    /// The offsets count from the start of what the device hands over (a tap frame's Ethernet header included).
    /// False when the offsets do not fit the packet.
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    public static bool TryCompleteChecksum(Span<byte> packet, in VirtioNetHeader header)
    {
        var start = header.ChecksumStart;
        var field = start + header.ChecksumOffset;
        if (field + 2 > packet.Length)
        {
            return false;
        }

        var checksum = InternetChecksum.Finish(InternetChecksum.Sum(packet[start..]));
        if (checksum == 0 && header.ChecksumOffset == UdpChecksumOffset)
        {
            checksum = 0xFFFF;
        }

        BinaryPrimitives.WriteUInt16BigEndian(packet[field..], checksum);
        return true;
    }
}
