using System.Security.Cryptography;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Tests.Protocol;

/// <summary>Both HMAC-SHA1 paths (OpenSSL SHA1_* and the IncrementalHash fallback) equal the BCL's HMACSHA1 and allocate nothing.</summary>
public sealed class HmacSha1PathTests
{
    [Fact]
    public void NativePathIsUsedWhereLibcryptoIsPresent()
    {
        using var hmac = new HmacSha1();
        Assert.Equal(NativeSha1.IsAvailable, hmac.IsNative);
        Assert.True(NativeSha1.IsAvailable || !OperatingSystem.IsLinux(), "libcrypto's SHA1_* should load on Linux");
        using var fallback = new HmacSha1(useNative: false);
        Assert.False(fallback.IsNative);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BothPathsMatchTheBcl(bool useNative)
    {
        using var hmac = new HmacSha1(useNative);
        var random = new Random(5);
        var key = new byte[HmacSha1.KeySize];
        var mac = new byte[HmacSha1.DigestSize];
        foreach (var length in new[] { 0, 1, 55, 56, 63, 64, 65, 119, 120, 1400, 1600, 65000 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            random.NextBytes(key);
            hmac.Compute(key, data, mac);
            Assert.Equal(HMACSHA1.HashData(key, data), mac);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BothPathsAllocateNothing(bool useNative)
    {
        using var hmac = new HmacSha1(useNative);
        var key = new byte[HmacSha1.KeySize];
        var data = new byte[1400];
        var mac = new byte[HmacSha1.DigestSize];
        for (var i = 0; i < 100; i++)
        {
            hmac.Compute(key, data, mac);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            key[0] = (byte)i;
            hmac.Compute(key, data, mac);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
