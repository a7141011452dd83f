using System.Buffers.Binary;
using System.Net;

namespace Anytun.Engine.Tests.Runtime.Offloads;

/// <summary>Builds IPv4/IPv6 TCP and UDP packets field by field, and checks checksums with a deliberately naive
/// reference (one big-endian 16-bit word at a time, as RFC 793/768 describe it) independent of the engine's code.</summary>
internal static class TestPackets
{
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte FlagFin = 0x01;
    public const byte FlagSyn = 0x02;
    public const byte FlagPsh = 0x08;
    public const byte FlagAck = 0x10;
    public const byte FlagCwr = 0x80;

    /// <summary>The flags segment <paramref name="index"/> of <paramref name="count"/> carries when a super-packet sent
    /// with CWR|ACK|PSH|FIN is cut: CWR only on the first, PSH and FIN only on the last, ACK on all.</summary>
    public static byte SegmentFlags(int index, int count)
    {
        var flags = FlagAck;
        if (index == 0)
        {
            flags |= FlagCwr;
        }

        if (index == count - 1)
        {
            flags |= FlagPsh | FlagFin;
        }

        return flags;
    }

    public static readonly IPAddress SourceV4 = IPAddress.Parse("192.168.123.1");
    public static readonly IPAddress DestinationV4 = IPAddress.Parse("192.168.123.2");
    public static readonly IPAddress SourceV6 = IPAddress.Parse("fd00::1");
    public static readonly IPAddress DestinationV6 = IPAddress.Parse("fd00::2");

    /// <summary>12 bytes of TCP options: NOP, NOP, timestamps.</summary>
    public static readonly byte[] TimestampOptions = [1, 1, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78];

    public static byte[] Payload(int length, int seed = 7)
    {
        var payload = new byte[length];
        var random = new Random(seed);
        random.NextBytes(payload);
        return payload;
    }

    /// <summary>A TCP packet with valid IP and TCP checksums (as the kernel hands it over without offloads).</summary>
    public static byte[] TcpPacket(bool v6, uint sequence, byte flags, byte[] payload, ushort id = 0x1234, byte[]? options = null, uint ack = 0x01020304)
    {
        options ??= TimestampOptions;
        var ipLength = v6 ? 40 : 20;
        var tcpLength = 20 + options.Length;
        var packet = new byte[ipLength + tcpLength + payload.Length];
        WriteIpHeader(packet, v6, Tcp, id);
        var tcp = packet.AsSpan(ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 5201);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], ack);
        tcp[12] = (byte)((tcpLength / 4) << 4);
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 502);
        options.CopyTo(tcp[20..]);
        payload.CopyTo(tcp[tcpLength..]);
        FinishIp(packet, v6);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], ReferenceTransportChecksum(packet, ipLength, Tcp, 16));
        return packet;
    }

    /// <summary>A UDP packet with valid checksums.</summary>
    public static byte[] UdpPacket(bool v6, byte[] payload, ushort id = 0x4321)
    {
        var ipLength = v6 ? 40 : 20;
        var packet = new byte[ipLength + 8 + payload.Length];
        WriteIpHeader(packet, v6, Udp, id);
        var udp = packet.AsSpan(ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp, 40001);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 5202);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload.Length));
        payload.CopyTo(udp[8..]);
        FinishIp(packet, v6);
        var checksum = ReferenceTransportChecksum(packet, ipLength, Udp, 6);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return packet;
    }

    /// <summary>
    /// What the kernel hands over with TSO/USO on: one super-packet, IP length = whole packet, and the transport checksum
    /// field holding only the folded pseudo-header sum (CHECKSUM_PARTIAL).
    /// </summary>
    public static byte[] PartialChecksum(byte[] packet, bool v6, byte protocol)
    {
        var copy = (byte[])packet.Clone();
        var ipLength = v6 ? 40 : 20;
        var field = ipLength + (protocol == Tcp ? 16 : 6);
        var pseudo = ReferencePseudoSum(copy, ipLength, protocol, copy.Length - ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(field), (ushort)pseudo);
        return copy;
    }

    /// <summary>
    /// <paramref name="ipPacket"/> as a tap frame: destination and source MAC, <paramref name="vlanTags"/> 802.1Q tags
    /// (802.1ad for the outer one of several), and the EtherType of IPv4 or IPv6.
    /// </summary>
    public static byte[] Ethernet(byte[] ipPacket, bool v6, int vlanTags = 0)
    {
        var link = 14 + (4 * vlanTags);
        var frame = new byte[link + ipPacket.Length];
        byte[] addresses = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01];
        addresses.CopyTo(frame, 0);
        for (var tag = 0; tag < vlanTags; tag++)
        {
            var tpid = tag == 0 && vlanTags > 1 ? (ushort)0x88A8 : (ushort)0x8100;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12 + (4 * tag)), tpid);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + (4 * tag)), (ushort)(100 + tag));
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(link - 2), v6 ? (ushort)0x86DD : (ushort)0x0800);
        ipPacket.CopyTo(frame, link);
        return frame;
    }

    /// <summary>Whether the IPv4 header checksum and the TCP/UDP checksum verify (reference implementation).</summary>
    public static bool ChecksumsValid(ReadOnlySpan<byte> packet)
    {
        var v6 = (packet[0] >> 4) == 6;
        var ipLength = v6 ? 40 : (packet[0] & 0xF) * 4;
        if (!v6 && ReferenceSum(packet[..ipLength], 0) != 0xFFFF)
        {
            return false;
        }

        var protocol = v6 ? packet[6] : packet[9];
        var sum = ReferenceSum(packet[ipLength..], ReferencePseudoSum(packet, ipLength, protocol, packet.Length - ipLength));
        return sum == 0xFFFF;
    }

    public static uint ReferenceSum(ReadOnlySpan<byte> data, uint start)
    {
        var sum = start;
        for (var i = 0; i < data.Length; i += 2)
        {
            var word = (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
            sum += word;
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return sum;
    }

    private static uint ReferencePseudoSum(ReadOnlySpan<byte> packet, int ipLength, byte protocol, int transportLength)
    {
        var v6 = (packet[0] >> 4) == 6;
        var addresses = v6 ? packet.Slice(8, 32) : packet.Slice(12, 8);
        var sum = ReferenceSum(addresses, 0);
        sum = ReferenceSum([0, protocol], sum);
        sum = ReferenceSum([(byte)(transportLength >> 24), (byte)(transportLength >> 16), (byte)(transportLength >> 8), (byte)transportLength], sum);
        return sum;
    }

    private static ushort ReferenceTransportChecksum(byte[] packet, int ipLength, byte protocol, int fieldOffset)
    {
        packet[ipLength + fieldOffset] = 0;
        packet[ipLength + fieldOffset + 1] = 0;
        var sum = ReferenceSum(packet.AsSpan(ipLength), ReferencePseudoSum(packet, ipLength, protocol, packet.Length - ipLength));
        return (ushort)~sum;
    }

    private static void WriteIpHeader(byte[] packet, bool v6, byte protocol, ushort id)
    {
        if (v6)
        {
            packet[0] = 0x60;
            packet[6] = protocol;
            packet[7] = 64;
            SourceV6.GetAddressBytes().CopyTo(packet, 8);
            DestinationV6.GetAddressBytes().CopyTo(packet, 24);
        }
        else
        {
            packet[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), id);
            packet[6] = 0x40; // DF
            packet[8] = 64;
            packet[9] = protocol;
            SourceV4.GetAddressBytes().CopyTo(packet, 12);
            DestinationV4.GetAddressBytes().CopyTo(packet, 16);
        }
    }

    private static void FinishIp(byte[] packet, bool v6)
    {
        if (v6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(packet.Length - 40));
            return;
        }

        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[10] = 0;
        packet[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), (ushort)~ReferenceSum(packet.AsSpan(0, 20), 0));
    }
}
