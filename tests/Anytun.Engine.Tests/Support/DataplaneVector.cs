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

/// <summary>A vector directory: the two daemon command lines, the summary line and the datagrams.</summary>
public sealed record DataplaneVector(
    string Name,
    string Directory,
    string CommandA,
    string CommandB,
    string KdPrf,
    string Cipher,
    string Auth,
    int TagLength,
    byte[]? MasterKey,
    byte[]? MasterSalt,
    IReadOnlyList<VectorDatagram> Datagrams)
{
    public string CommandOf(char side) => side == 'A' ? CommandA : CommandB;
}
