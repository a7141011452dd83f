using System.Net;

namespace Anytun.Engine.Sync;

/// <summary>
/// anytun 0.3.8's route-tree walk loops forever when the partial octet's range ends at 0xff, because its 8-bit loop
/// counter wraps (RoutingTree::walk, spec §1.5 route step 4). We never hang; this only tells whether a real anytun
/// peer would, so callers can warn.
/// </summary>
internal static class ReferenceRouteBug
{
    public static bool Hangs(SyncAddressType type, IPAddress? address, ulong ethernet, int prefixLength)
    {
        Span<byte> bytes = stackalloc byte[16];
        int size;
        switch (type)
        {
            case SyncAddressType.IPv4:
            case SyncAddressType.IPv6:
                if (address is null || !address.TryWriteBytes(bytes, out size))
                {
                    return false;
                }

                break;
            case SyncAddressType.Ethernet:
                // anytun's to_bytes_ethernet: least significant byte first.
                for (var i = 0; i < 6; i++)
                {
                    bytes[i] = (byte)(ethernet >> (8 * i));
                }

                size = 6;
                break;
            default:
                return false;
        }

        var length = Math.Min(prefixLength, size * 8);
        var partialBits = length % 8;
        if (partialBits == 0)
        {
            return false;
        }

        var topMask = (byte)(0xff << (8 - partialBits));
        return (bytes[length / 8] & topMask) == topMask;
    }
}
