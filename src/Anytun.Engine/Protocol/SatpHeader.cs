namespace Anytun.Engine.Protocol;

/// <summary>The clear-text header of a received datagram plus the length of its encrypted part.</summary>
public readonly struct SatpHeader
{
    public SatpHeader(uint sequence, ushort senderId, ushort mux, int encryptedLength)
    {
        Sequence = sequence;
        SenderId = senderId;
        Mux = mux;
        EncryptedLength = encryptedLength;
    }

    public uint Sequence { get; }

    public ushort SenderId { get; }

    public ushort Mux { get; }

    /// <summary>Bytes between the header and the tag: payload type + inner packet.</summary>
    public int EncryptedLength { get; }

    /// <summary>Reads the header fields of <paramref name="datagram"/> (at least 8 bytes) for tag length <paramref name="tagLength"/>.</summary>
    public static SatpHeader Read(ReadOnlySpan<byte> datagram, int tagLength) => new(
        SatpPacket.ReadSequence(datagram),
        SatpPacket.ReadSenderId(datagram),
        SatpPacket.ReadMux(datagram),
        datagram.Length - SatpPacket.HeaderSize - tagLength);
}
