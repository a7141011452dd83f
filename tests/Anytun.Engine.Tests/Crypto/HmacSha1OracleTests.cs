using Anytun.Engine.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace Anytun.Engine.Tests.Crypto;

/// <summary>The per-packet-key HMAC-SHA1 against BouncyCastle's HMac(SHA-1) and RFC 2202.</summary>
public sealed class HmacSha1OracleTests
{
    [Fact]
    public void RandomKeysAndMessagesMatchBouncyCastle()
    {
        using var hmac = new HmacSha1();
        var random = new Random(20261126);
        var key = new byte[20];
        var mac = new byte[20];
        for (var i = 0; i < 500; i++)
        {
            random.NextBytes(key);
            var data = new byte[random.Next(0, 1601)];
            random.NextBytes(data);

            var oracle = new HMac(new Sha1Digest());
            oracle.Init(new KeyParameter(key));
            oracle.BlockUpdate(data, 0, data.Length);
            var expected = new byte[20];
            oracle.DoFinal(expected, 0);

            hmac.Compute(key, data, mac);
            Assert.Equal(expected, mac);
        }
    }

    [Fact]
    public void Rfc2202TestCase1()
    {
        using var hmac = new HmacSha1();
        var key = Enumerable.Repeat((byte)0x0b, 20).ToArray();
        var mac = new byte[20];
        hmac.Compute(key, "Hi There"u8, mac);
        Assert.Equal("B617318655057264E28BC0B6FB378C8EF146BE00", Convert.ToHexString(mac));
    }

    [Fact]
    public void RejectsKeysThatAreNot20Bytes()
    {
        using var hmac = new HmacSha1();
        Assert.Throws<ArgumentException>(() => hmac.Compute(new byte[16], [], new byte[20]));
    }
}
