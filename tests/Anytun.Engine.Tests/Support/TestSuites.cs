using Anytun.Engine.Configuration;
using Anytun.Engine.Protocol;

namespace Anytun.Engine.Tests.Support;

/// <summary>Suites with the fixed key material of the captures (-K/-A of the "default" vector).</summary>
public static class TestSuites
{
    public static readonly byte[] MasterKey128 = Convert.FromHexString("0123456789abcdef0123456789abcdef");
    public static readonly byte[] MasterKey256 = Convert.FromHexString("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    public static readonly byte[] MasterSalt = Convert.FromHexString("0123456789abcdef0123456789ab");

    public static SatpCryptoSuite Default(Role role, int tagLength = 10) =>
        new(CipherAlgorithm.AesCtr128, AuthAlgorithm.Sha1, KeyDerivationPrf.AesCtr128, tagLength, role, MasterKey128, MasterSalt);

    public static SatpCryptoSuite Aes256(Role role) =>
        new(CipherAlgorithm.AesCtr256, AuthAlgorithm.Sha1, KeyDerivationPrf.AesCtr256, 10, role, MasterKey256, MasterSalt);

    /// <summary>Encodes <paramref name="inner"/> and returns exactly the datagram bytes.</summary>
    public static byte[] Encode(SatpEncoder encoder, byte[] inner, PayloadType type, uint seq, ushort senderId = 0, ushort mux = 0)
    {
        var buffer = new byte[SatpPacket.RequiredBufferSize(inner.Length)];
        inner.CopyTo(buffer, SatpPacket.InnerOffset);
        var length = encoder.Encode(buffer, inner.Length, type, seq, senderId, mux);
        return buffer[..length];
    }

    /// <summary>anytun's receive order on a copy of <paramref name="datagram"/>: tag check, replay check, decrypt.</summary>
    public static DropReason Receive(SatpDecoder decoder, ReplayWindow window, byte[] datagram)
    {
        var copy = (byte[])datagram.Clone();
        var reason = decoder.Authenticate(copy, out var header);
        if (reason != DropReason.None)
        {
            return reason;
        }

        return window.TryAccept(header.SenderId, header.Sequence)
            ? decoder.Decrypt(copy, header, out _, out _)
            : DropReason.Replay;
    }

    /// <summary>A 36-byte IPv4 ICMP echo as in the captures.</summary>
    public static byte[] IcmpPacket() =>
        Convert.FromHexString("450000249610400040019373c0a8c801c0a8c802080035761d880001a500000000000000");
}
