using Anytun.Engine.Configuration;
using Anytun.Engine.Protocol;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Protocol;

/// <summary>Suite construction from options and raw values, lifetime, and the encoder/decoder round trip.</summary>
public sealed class SatpCryptoSuiteTests
{
    [Fact]
    public void FromOptionsUsesPassphraseTailsAndEffectiveValues()
    {
        var options = AnytunCommandLine.ParseCommandLine("anytun -E SATP-test-vector-passphrase -e right -b 32");
        using var suite = SatpCryptoSuite.FromOptions(options);
        Assert.Equal(Role.Right, suite.Role);
        Assert.Equal(20, suite.TagLength);
        Assert.Equal(KeyDerivationPrf.AesCtr128, suite.KdPrf);

        // Same wire output as the raw constructor with the vector's master key/salt.
        using var raw = new SatpCryptoSuite(
            CipherAlgorithm.AesCtr128, AuthAlgorithm.Sha1, KeyDerivationPrf.AesCtr128, 20, Role.Right,
            Convert.FromHexString("0e0e21c404ee7b4c97cadeb99a65f6ef"), Convert.FromHexString("710ae6569bbc505807a38acd34f3"));
        using var a = suite.CreateEncoder();
        using var b = raw.CreateEncoder();
        Assert.Equal(
            TestSuites.Encode(a, TestSuites.IcmpPacket(), PayloadType.IPv4, 9),
            TestSuites.Encode(b, TestSuites.IcmpPacket(), PayloadType.IPv4, 9));
    }

    [Fact]
    public void FromOptionsRejectsAShortKey()
    {
        var options = AnytunCommandLine.ParseCommandLine("anytun -K 0123456789abcdef0123456789abcd -A 0123456789abcdef0123456789ab");
        var error = Assert.Throws<AnytunException>(() => SatpCryptoSuite.FromOptions(options));
        Assert.Equal(AnytunErrorCode.InvalidOption, error.Code);
    }

    [Fact]
    public void NullCipherAndAuthForceNullKeyDerivation()
    {
        var options = AnytunCommandLine.ParseCommandLine("anytun -c null -a null");
        using var suite = SatpCryptoSuite.FromOptions(options);
        Assert.Equal(KeyDerivationPrf.Null, suite.KdPrf);
        Assert.Equal(0, suite.TagLength);
        Assert.Equal(SatpPacket.InnerOffset, suite.Overhead);
    }

    [Fact]
    public void TagLengthZeroWithSha1SendsNoTagAndChecksNothing()
    {
        using var left = TestSuites.Default(Role.Left, tagLength: 0);
        using var right = TestSuites.Default(Role.Right, tagLength: 0);
        using var encoder = left.CreateEncoder();
        using var decoder = right.CreateDecoder();
        var datagram = TestSuites.Encode(encoder, TestSuites.IcmpPacket(), PayloadType.IPv4, 3);
        Assert.Equal(SatpPacket.InnerOffset + 36, datagram.Length);
        datagram[0] ^= 0x80; // a different seq: still "authentic", but decrypts to garbage
        Assert.Equal(DropReason.None, decoder.Authenticate(datagram, out var header));
        Assert.Equal(0x80000003u, header.Sequence);
    }

    [Fact]
    public void DisposedSuiteCreatesNoCoders()
    {
        var suite = TestSuites.Default(Role.Left);
        suite.Dispose();
        suite.Dispose();
        Assert.Throws<ObjectDisposedException>(() => suite.CreateEncoder());
    }

    [Fact]
    public void ToStringShowsAlgorithmsButNoKey()
    {
        using var suite = TestSuites.Default(Role.Left);
        var text = suite.ToString();
        Assert.Contains("aes-ctr", text, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789", text, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(CipherAlgorithm.AesCtr128, KeyDerivationPrf.AesCtr128, 16)]
    [InlineData(CipherAlgorithm.AesCtr192, KeyDerivationPrf.AesCtr192, 24)]
    [InlineData(CipherAlgorithm.AesCtr256, KeyDerivationPrf.AesCtr256, 32)]
    [InlineData(CipherAlgorithm.AesCtr256, KeyDerivationPrf.AesCtr128, 16)]
    public void EveryCombinationRoundTripsEveryLength(CipherAlgorithm cipher, KeyDerivationPrf kd, int keyLength)
    {
        var key = TestSuites.MasterKey256[..keyLength];
        using var left = new SatpCryptoSuite(cipher, AuthAlgorithm.Sha1, kd, 10, Role.Left, key, TestSuites.MasterSalt);
        using var right = new SatpCryptoSuite(cipher, AuthAlgorithm.Sha1, kd, 10, Role.Right, key, TestSuites.MasterSalt);
        using var encoder = left.CreateEncoder();
        using var decoder = right.CreateDecoder();
        var random = new Random(keyLength);
        for (var length = 1; length <= 1580; length += 37)
        {
            var inner = new byte[length];
            random.NextBytes(inner);
            var datagram = TestSuites.Encode(encoder, inner, PayloadType.Ethernet, (uint)length, 0x1234, 7);
            Assert.Equal(SatpPacket.InnerOffset + length + 10, datagram.Length);
            Assert.Equal(DropReason.None, decoder.Decode(datagram, out var header, out var type, out var innerLength));
            Assert.Equal((ushort)7, header.Mux);
            Assert.Equal(PayloadType.Ethernet, type);
            Assert.Equal(inner, datagram.AsSpan(SatpPacket.InnerOffset, innerLength).ToArray());
        }
    }
}
