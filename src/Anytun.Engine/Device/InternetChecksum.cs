using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Device;

/// <summary>The RFC 1071 ones'-complement sum used by IPv4, TCP and UDP, 8 bytes per step.</summary>
internal static class InternetChecksum
{
    /// <summary>Folded 16-bit ones'-complement sum of <paramref name="data"/> as big-endian words (not inverted).</summary>
    [MethodImpl(PacketPath.Hot)]
    public static uint Sum(ReadOnlySpan<byte> data)
    {
        // Summing little-endian words and swapping the folded result equals the big-endian sum (RFC 1071 §2(B)).
        ulong accumulator = 0;
        var index = 0;
        ref var start = ref MemoryMarshal.GetReference(data);
        if (Vector256.IsHardwareAccelerated && data.Length >= 64)
        {
            // 32-bit words widened into 64-bit lanes cannot overflow below 2^32 words; their sum is congruent to the
            // 16-bit one modulo 0xFFFF, which is all a ones'-complement sum keeps.
            var low = Vector256<ulong>.Zero;
            var high = Vector256<ulong>.Zero;
            for (; index + 32 <= data.Length; index += 32)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)index).AsUInt32());
                low += lower;
                high += upper;
            }

            var lanes = low + high;
            accumulator = AddWithCarry(AddWithCarry(lanes.GetElement(0), lanes.GetElement(1)), AddWithCarry(lanes.GetElement(2), lanes.GetElement(3)));
        }

        for (; index + 8 <= data.Length; index += 8)
        {
            var value = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, index));
            accumulator += value;
            if (accumulator < value)
            {
                accumulator++;
            }
        }

        ulong tail = 0;
        var shift = 0;
        for (; index < data.Length; index++, shift += 8)
        {
            tail |= (ulong)Unsafe.Add(ref start, index) << shift;
        }

        accumulator += tail;
        if (accumulator < tail)
        {
            accumulator++;
        }

        var folded = FoldTo16((uint)accumulator + (accumulator >> 32));
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness((ushort)folded) : folded;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddWithCarry(ulong left, ulong right)
    {
        var sum = left + right;
        return sum < right ? sum + 1 : sum;
    }

    /// <summary>Adds two partial sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Add(uint left, uint right) => FoldTo16((ulong)left + right);

    /// <summary>The value to store in a checksum field: the inverted folded sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Finish(uint sum) => (ushort)~FoldTo16(sum);

    /// <summary>Partial sum of the TCP/UDP pseudo header (addresses, protocol, transport length) of an IPv4 or IPv6 packet.</summary>
    [MethodImpl(PacketPath.Hot)]
    public static uint PseudoHeaderSum(ReadOnlySpan<byte> ipPacket, byte protocol, int transportLength)
    {
        var isV6 = (ipPacket[0] >> 4) == 6;
        var addresses = isV6 ? ipPacket.Slice(8, 32) : ipPacket.Slice(12, 8);
        var sum = Sum(addresses);
        return Add(sum, (uint)protocol + (uint)(transportLength & 0xFFFF) + (uint)(transportLength >> 16));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint FoldTo16(ulong sum)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (uint)sum;
    }
}
