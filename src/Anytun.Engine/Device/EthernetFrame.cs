using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Device;

/// <summary>
/// The link header of a tap frame: 14 bytes (destination MAC, source MAC, EtherType), with up to two VLAN tags
/// (802.1Q / 802.1ad, 4 bytes each) before the EtherType of the IP packet.
/// </summary>
internal static class EthernetFrame
{
    /// <summary>Ethernet header without tags.</summary>
    public const int HeaderLength = 14;

    private const int AddressesLength = 12;
    private const int TagLength = 4;
    private const int MaxTags = 2;
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;

    /// <summary>
    /// For the coalescers: with <paramref name="linkLength"/> 0 (tun) the packet is <paramref name="frame"/> itself; with
    /// <see cref="HeaderLength"/> (tap) it is what follows an untagged Ethernet header whose EtherType matches the IP
    /// version. False for anything else (VLAN-tagged, ARP, too short).
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    public static bool TryGetUntaggedIpPacket(ReadOnlySpan<byte> frame, int linkLength, out ReadOnlySpan<byte> ipPacket)
    {
        ipPacket = frame;
        if (linkLength == 0)
        {
            return true;
        }

        if (frame.Length <= HeaderLength)
        {
            return false;
        }

        ipPacket = frame[HeaderLength..];
        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[AddressesLength..]);
        var version = ipPacket[0] >> 4;
        return (etherType == EtherTypeIPv4 && version == 4) || (etherType == EtherTypeIPv6 && version == 6);
    }

    /// <summary>
    /// True when <paramref name="frame"/> carries an IPv4 or IPv6 packet: <paramref name="networkOffset"/> is where it
    /// starts (14, 18 or 22) and <paramref name="ipVersion"/> is 4 or 6 (from the EtherType, not yet checked against the packet).
    /// </summary>
    public static bool TryGetNetworkOffset(ReadOnlySpan<byte> frame, out int networkOffset, out int ipVersion)
    {
        networkOffset = AddressesLength;
        ipVersion = 0;
        for (var tags = 0; tags <= MaxTags; tags++)
        {
            if (frame.Length < networkOffset + 2)
            {
                return false;
            }

            var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[networkOffset..]);
            networkOffset += 2;
            switch (etherType)
            {
                case EtherTypeIPv4:
                    ipVersion = 4;
                    return true;
                case EtherTypeIPv6:
                    ipVersion = 6;
                    return true;
                case EtherTypeVlan:
                case EtherTypeQinQ:
                    // Skip the tag control information; the next EtherType follows.
                    networkOffset += TagLength - 2;
                    break;
                default:
                    return false;
            }
        }

        return false;
    }
}
