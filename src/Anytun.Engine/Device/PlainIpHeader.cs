using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Device;

/// <summary>
/// The IP header arithmetic shared by the segmenter and the coalescers: recognising a plain header (IPv4 without
/// options or fragmentation, IPv6 without extension headers) and rewriting its length fields after a packet was cut
/// or merged.
/// </summary>
internal static class PlainIpHeader
{
    private const int IPv6HeaderLength = 40;
    private const int IPv4HeaderLength = 20;

    /// <summary>
    /// True when <paramref name="packet"/> is a plain IPv4 or IPv6 packet of <paramref name="protocol"/> whose header
    /// length field matches the packet and which has room for <paramref name="minTransportLength"/> transport bytes;
    /// <paramref name="transportOffset"/> is then 20 or 40.
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    public static bool TryGetTransportOffset(ReadOnlySpan<byte> packet, byte protocol, int minTransportLength, out int transportOffset)
    {
        transportOffset = 0;
        if (packet.Length < IPv4HeaderLength + minTransportLength)
        {
            return false;
        }

        switch (packet[0] >> 4)
        {
            case 4:
                // 20-byte header only, no fragment offset or MF, total length = packet length.
                if (packet[0] != 0x45 || packet[9] != protocol || (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0
                    || BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) != packet.Length)
                {
                    return false;
                }

                transportOffset = IPv4HeaderLength;
                return true;
            case 6:
                if (packet.Length < IPv6HeaderLength + minTransportLength || packet[6] != protocol
                    || BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) != packet.Length - IPv6HeaderLength)
                {
                    return false;
                }

                transportOffset = IPv6HeaderLength;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Sets the length of the whole <paramref name="packet"/> in its IP header (IPv6 payload length, or IPv4 total
    /// length plus a fresh header checksum over the <paramref name="transportOffset"/> header bytes).
    /// </summary>
    public static void SetPacketLength(Span<byte> packet, int transportOffset)
    {
        if ((packet[0] >> 4) == 6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)(packet.Length - IPv6HeaderLength));
            return;
        }

        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)packet.Length);
        WriteIPv4HeaderChecksum(packet[..transportOffset]);
    }

    /// <summary>Recomputes the IPv4 header checksum over <paramref name="ipHeader"/> (exactly the header bytes).</summary>
    public static void WriteIPv4HeaderChecksum(Span<byte> ipHeader)
    {
        ipHeader[10] = 0;
        ipHeader[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ipHeader[10..], InternetChecksum.Finish(InternetChecksum.Sum(ipHeader)));
    }
}
