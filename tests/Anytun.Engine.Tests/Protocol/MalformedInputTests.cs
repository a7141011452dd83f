using Anytun.Engine.Configuration;
using Anytun.Engine.Protocol;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Protocol;

/// <summary>Bad datagrams give a typed <see cref="DropReason"/>, never an exception.</summary>
public sealed class MalformedInputTests : IDisposable
{
    private readonly SatpCryptoSuite _left = TestSuites.Default(Role.Left);
    private readonly SatpCryptoSuite _right = TestSuites.Default(Role.Right);
    private readonly SatpEncoder _encoder;
    private readonly SatpDecoder _decoder;

    public MalformedInputTests()
    {
        _encoder = _left.CreateEncoder();
        _decoder = _right.CreateDecoder();
    }

    public void Dispose()
    {
        _encoder.Dispose();
        _decoder.Dispose();
        _left.Dispose();
        _right.Dispose();
    }

    [Fact]
    public void ValidDatagramDecodes()
    {
        var datagram = TestSuites.Encode(_encoder, TestSuites.IcmpPacket(), PayloadType.IPv4, 5, 3, 0);
        Assert.Equal(DropReason.None, _decoder.Decode(datagram, out var header, out var type, out var innerLength));
        Assert.Equal(5u, header.Sequence);
        Assert.Equal(3, header.SenderId);
        Assert.Equal(PayloadType.IPv4, type);
        Assert.Equal(TestSuites.IcmpPacket(), datagram.AsSpan(SatpPacket.InnerOffset, innerLength).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(17)]
    public void ShortDatagramIsTooShort(int length)
    {
        var datagram = new byte[length];
        Assert.Equal(DropReason.TooShort, _decoder.Decode(datagram, out _, out _, out _));
    }

    [Fact]
    public void TruncatedTagIsBadTag()
    {
        var datagram = TestSuites.Encode(_encoder, TestSuites.IcmpPacket(), PayloadType.IPv4, 1);
        for (var cut = 1; cut <= 10; cut++)
        {
            var truncated = datagram[..^cut];
            Assert.Equal(DropReason.BadTag, _decoder.Decode(truncated, out _, out _, out _));
        }
    }

    [Fact]
    public void EveryFlippedBitIsBadTag()
    {
        var datagram = TestSuites.Encode(_encoder, TestSuites.IcmpPacket(), PayloadType.IPv4, 1);
        for (var position = 0; position < datagram.Length; position++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var copy = (byte[])datagram.Clone();
                copy[position] ^= (byte)(1 << bit);
                Assert.Equal(DropReason.BadTag, _decoder.Authenticate(copy, out _));
            }
        }
    }

    [Fact]
    public void WrongMasterKeyIsBadTag()
    {
        var otherKey = (byte[])TestSuites.MasterKey128.Clone();
        otherKey[0] ^= 1;
        using var wrong = new SatpCryptoSuite(
            CipherAlgorithm.AesCtr128, AuthAlgorithm.Sha1, KeyDerivationPrf.AesCtr128, 10, Role.Right, otherKey, TestSuites.MasterSalt);
        using var decoder = wrong.CreateDecoder();
        var datagram = TestSuites.Encode(_encoder, TestSuites.IcmpPacket(), PayloadType.IPv4, 1);
        Assert.Equal(DropReason.BadTag, decoder.Decode(datagram, out _, out _, out _));
    }

    [Fact]
    public void SameRoleOnBothSidesIsBadTag()
    {
        using var decoder = _left.CreateDecoder();
        var datagram = TestSuites.Encode(_encoder, TestSuites.IcmpPacket(), PayloadType.IPv4, 1);
        Assert.Equal(DropReason.BadTag, decoder.Decode(datagram, out _, out _, out _));
    }

    [Fact]
    public void DifferentTagLengthIsBadTag()
    {
        using var suite = TestSuites.Default(Role.Right, tagLength: 4);
        using var decoder = suite.CreateDecoder();
        var datagram = TestSuites.Encode(_encoder, TestSuites.IcmpPacket(), PayloadType.IPv4, 1);
        Assert.Equal(DropReason.BadTag, decoder.Decode(datagram, out _, out _, out _));
    }

    [Theory]
    [InlineData((ushort)0x0000)]
    [InlineData((ushort)0x1234)]
    [InlineData((ushort)0x0806)]
    public void UnknownPayloadTypeIsWrongPayloadType(ushort type)
    {
        var datagram = TestSuites.Encode(_encoder, TestSuites.IcmpPacket(), (PayloadType)type, 1);
        Assert.Equal(DropReason.WrongPayloadType, _decoder.Decode(datagram, out _, out var decodedType, out _));
        Assert.Equal(type, (ushort)decodedType);
    }

    [Fact]
    public void NoInnerPacketIsEmptyPayload()
    {
        var datagram = TestSuites.Encode(_encoder, [], PayloadType.IPv4, 1);
        Assert.Equal(SatpPacket.InnerOffset + 10, datagram.Length);
        Assert.Equal(DropReason.EmptyPayload, _decoder.Decode(datagram, out _, out _, out _));
    }

    [Fact]
    public void HeaderThatDoesNotMatchTheDatagramIsMalformed()
    {
        var datagram = TestSuites.Encode(_encoder, TestSuites.IcmpPacket(), PayloadType.IPv4, 1);
        Assert.Equal(DropReason.None, _decoder.Authenticate(datagram, out var header));
        var stale = new SatpHeader(header.Sequence, header.SenderId, header.Mux, header.EncryptedLength + 5);
        Assert.Equal(DropReason.Malformed, _decoder.Decrypt(datagram, stale, out _, out _));
    }

    [Fact]
    public void RandomGarbageNeverThrows()
    {
        var random = new Random(42);
        for (var i = 0; i < 2000; i++)
        {
            var datagram = new byte[random.Next(0, 1700)];
            random.NextBytes(datagram);
            var reason = _decoder.Decode(datagram, out _, out _, out _);
            Assert.True(reason is DropReason.TooShort or DropReason.BadTag, reason.ToString());
        }
    }

    [Fact]
    public void NullAuthAcceptsAnyBytesButStillChecksLengthAndType()
    {
        using var suite = new SatpCryptoSuite(CipherAlgorithm.Null, AuthAlgorithm.Null, KeyDerivationPrf.AesCtr128, 10, Role.Left, [], []);
        using var decoder = suite.CreateDecoder();
        Assert.Equal(0, decoder.TagLength);
        Assert.Equal(DropReason.EmptyPayload, decoder.Decode(new byte[9], out _, out _, out _));
        Assert.Equal(DropReason.TooShort, decoder.Decode(new byte[7], out _, out _, out _));
        var garbage = new byte[30];
        garbage[8] = 0x08;
        Assert.Equal(DropReason.None, decoder.Decode(garbage, out _, out var type, out var innerLength));
        Assert.Equal(PayloadType.IPv4, type);
        Assert.Equal(20, innerLength);
    }

    [Fact]
    public void ReplayedSequenceIsReplayWithWindowAndAcceptedWithout()
    {
        var datagram = TestSuites.Encode(_encoder, TestSuites.IcmpPacket(), PayloadType.IPv4, 7);
        var withWindow = new ReplayWindow(64);
        var withoutWindow = new ReplayWindow(0);

        Assert.Equal(DropReason.None, TestSuites.Receive(_decoder, withWindow, datagram));
        Assert.Equal(DropReason.Replay, TestSuites.Receive(_decoder, withWindow, datagram));
        Assert.Equal(DropReason.None, TestSuites.Receive(_decoder, withoutWindow, datagram));
        Assert.Equal(DropReason.None, TestSuites.Receive(_decoder, withoutWindow, datagram));
    }

    [Fact]
    public void EncodeRejectsABufferWithoutTailroom()
    {
        var buffer = new byte[SatpPacket.InnerOffset + 36 + 9];
        Assert.Throws<ArgumentOutOfRangeException>(() => _encoder.Encode(buffer, 36, PayloadType.IPv4, 0, 0, 0));
    }

    [Fact]
    public void BadMasterKeyLengthIsInvalidOption()
    {
        var error = Assert.Throws<AnytunException>(() => new SatpCryptoSuite(
            CipherAlgorithm.AesCtr128, AuthAlgorithm.Sha1, KeyDerivationPrf.AesCtr128, 10, Role.Left, new byte[15], TestSuites.MasterSalt));
        Assert.Equal(AnytunErrorCode.InvalidOption, error.Code);
        error = Assert.Throws<AnytunException>(() => new SatpCryptoSuite(
            CipherAlgorithm.AesCtr128, AuthAlgorithm.Sha1, KeyDerivationPrf.AesCtr128, 10, Role.Left, TestSuites.MasterKey128, new byte[13]));
        Assert.Equal(AnytunErrorCode.InvalidOption, error.Code);
    }

    [Fact]
    public void TagLengthIsClampedAndZeroForNullAuth()
    {
        using var clamped = TestSuites.Default(Role.Left, tagLength: 32);
        Assert.Equal(20, clamped.TagLength);
        using var nullAuth = new SatpCryptoSuite(
            CipherAlgorithm.AesCtr128, AuthAlgorithm.Null, KeyDerivationPrf.AesCtr128, 10, Role.Left, TestSuites.MasterKey128, TestSuites.MasterSalt);
        Assert.Equal(0, nullAuth.TagLength);
        using var nullBoth = new SatpCryptoSuite(CipherAlgorithm.Null, AuthAlgorithm.Null, KeyDerivationPrf.AesCtr256, 10, Role.Left, [], []);
        Assert.Equal(KeyDerivationPrf.Null, nullBoth.KdPrf);
    }
}
