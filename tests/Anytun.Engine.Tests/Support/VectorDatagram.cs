namespace Anytun.Engine.Tests.Support;

/// <summary>One captured datagram of a data-plane vector (vector.md), with the values verify.py printed.</summary>
public sealed record VectorDatagram(
    int Number,
    char SenderSide,
    string SenderRole,
    byte[] Payload,
    uint Sequence,
    ushort SenderId,
    ushort Mux,
    int TagLength,
    byte[]? EncCounterBlock,
    byte[]? SaltCounterBlock,
    byte[]? AuthCounterBlock,
    byte[]? SessionEncryptionKey,
    byte[]? SessionSalt,
    byte[]? PacketIv,
    byte[]? SessionAuthKey,
    byte[]? Hmac,
    ushort PayloadType,
    byte[] InnerPacket)
{
    public char ReceiverSide => SenderSide == 'A' ? 'B' : 'A';
}
