using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Anytun.Engine.Protocol;

/// <summary>SATP wire layout (spec §1): seq(4) ‖ sender id(2) ‖ mux(2) ‖ E(type(2) ‖ inner) ‖ tag(T), big-endian.</summary>
public static class SatpPacket
{
    public const int SequenceOffset = 0;
    public const int SenderIdOffset = 4;
    public const int MuxOffset = 6;
    public const int HeaderSize = 8;
    public const int PayloadTypeSize = 2;

    /// <summary>Where the inner packet starts in a datagram buffer (header + payload type).</summary>
    public const int InnerOffset = HeaderSize + PayloadTypeSize;

    /// <summary>anytun's MAX_PACKET_LENGTH: the largest datagram it sends or receives intact.</summary>
    public const int MaxDatagramSize = 1600;

    /// <summary>HMAC-SHA1 digest size, the largest tag and the tailroom an encode buffer needs.</summary>
    public const int MaxTagSize = 20;

    /// <summary>Bytes a buffer needs around an inner packet of <paramref name="innerLength"/> bytes for encoding.</summary>
    public static int RequiredBufferSize(int innerLength) => InnerOffset + innerLength + MaxTagSize;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ReadSequence(ReadOnlySpan<byte> datagram) => BinaryPrimitives.ReadUInt32BigEndian(datagram);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort ReadSenderId(ReadOnlySpan<byte> datagram) => BinaryPrimitives.ReadUInt16BigEndian(datagram[SenderIdOffset..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort ReadMux(ReadOnlySpan<byte> datagram) => BinaryPrimitives.ReadUInt16BigEndian(datagram[MuxOffset..]);

    /// <summary>Reads the (decrypted) payload type at offset 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PayloadType ReadPayloadType(ReadOnlySpan<byte> datagram) =>
        (PayloadType)BinaryPrimitives.ReadUInt16BigEndian(datagram[HeaderSize..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteHeader(Span<byte> datagram, uint sequence, ushort senderId, ushort mux)
    {
        BinaryPrimitives.WriteUInt32BigEndian(datagram, sequence);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[SenderIdOffset..], senderId);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[MuxOffset..], mux);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WritePayloadType(Span<byte> datagram, PayloadType type) =>
        BinaryPrimitives.WriteUInt16BigEndian(datagram[HeaderSize..], (ushort)type);

    /// <summary>Payload type a tun sender uses for an inner packet (version nibble 4 or 6), else Unknown.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PayloadType PayloadTypeForIpPacket(ReadOnlySpan<byte> innerPacket)
    {
        if (innerPacket.IsEmpty)
        {
            return PayloadType.Unknown;
        }

        return (innerPacket[0] >> 4) switch
        {
            4 => PayloadType.IPv4,
            6 => PayloadType.IPv6,
            _ => PayloadType.Unknown,
        };
    }
}
