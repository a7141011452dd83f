using System.Buffers.Binary;

namespace Anytun.Engine.Device;

/// <summary>
/// Rewrites the length fields of an IPv4 or IPv6 header after the packet was cut or merged; shared by the
/// segmenter and the coalescers so the header arithmetic lives in one place.
/// </summary>
internal static class IpHeaderWriter
{
    private const int IPv6HeaderLength = 40;

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
