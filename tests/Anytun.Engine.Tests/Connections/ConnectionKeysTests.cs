using System.Runtime.InteropServices;
using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Crypto;
using Anytun.Engine.Protocol;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Connections;

/// <summary>Per-connection key material: validation, zeroing, redaction, comparison, and "disposed never encrypts".</summary>
[Collection(AesImplementationCollection.Name)]
public sealed class ConnectionKeysTests
{
    private static readonly SatpAlgorithms Default = new(CipherAlgorithm.AesCtr128, AuthAlgorithm.Sha1, KeyDerivationPrf.AesCtr128, 10);

    [Fact]
    public void WrongKeyOrSaltLengthIsRejected()
    {
        var key = Assert.Throws<AnytunException>(() => ConnectionKeys.Create(KeyDerivationPrf.AesCtr256, Role.Left, TestSuites.MasterKey128, TestSuites.MasterSalt));
        Assert.Equal(AnytunErrorCode.InvalidOption, key.Code);
        Assert.Contains("32 bytes", key.Message, StringComparison.Ordinal);
        var salt = Assert.Throws<AnytunException>(() => ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Left, TestSuites.MasterKey128, new byte[13]));
        Assert.Contains("14 bytes", salt.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DisposeZeroesKeySaltAndSchedule(bool portable)
    {
        using var scope = new AesImplementationScope(portable);
        var keys = ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Left, TestSuites.MasterKey128, TestSuites.MasterSalt);
        var (key, salt) = keys.BuffersForTests;
        Assert.Equal(TestSuites.MasterKey128, key);
        var schedule = keys.PrfSchedule;
        Assert.Equal(portable, schedule is null);
        keys.Dispose();
        Assert.True(keys.IsDisposed);
        Assert.All(key, b => Assert.Equal(0, b));
        Assert.All(salt, b => Assert.Equal(0, b));
        if (schedule is not null)
        {
            Assert.All(MemoryMarshal.AsBytes(schedule.RoundKeysForTests.AsSpan()).ToArray(), b => Assert.Equal(0, b));
            Assert.Equal(0, schedule.Rounds);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DisposedKeysNeverEncrypt(bool portable)
    {
        using var scope = new AesImplementationScope(portable);
        var keys = ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Left, TestSuites.MasterKey128, TestSuites.MasterSalt);
        using var encoder = new SatpEncoder(Default);
        var buffer = new byte[SatpPacket.RequiredBufferSize(36)];
        encoder.Encode(buffer, 36, PayloadType.IPv4, 1, 0, 0, keys);
        keys.Dispose();
        buffer.AsSpan().Clear();
        Assert.Throws<ObjectDisposedException>(() => encoder.Encode(buffer, 36, PayloadType.IPv4, 2, 0, 0, keys));
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public void DisposedEncoderNeverEncrypts()
    {
        using var keys = ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Left, TestSuites.MasterKey128, TestSuites.MasterSalt);
        var encoder = new SatpEncoder(Default);
        encoder.Dispose();
        var buffer = new byte[SatpPacket.RequiredBufferSize(36)];
        Assert.True(encoder.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => encoder.Encode(buffer, 36, PayloadType.IPv4, 1, 0, 0, keys));
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public void DisposedAesNiCipherRefusesToRekeyOrEncrypt()
    {
        if (!AesCtrCipher.IsHardwareAccelerated)
        {
            return;
        }

        // The bug this guards against: a disposed cipher kept its round count with zeroed round keys, so a later
        // SetKey + Transform (or a Transform alone) ran with an all-zero key schedule.
        var cipher = new AesNiCtrCipher();
        cipher.SetKey(TestSuites.MasterKey128);
        cipher.Dispose();
        var block = new byte[16];
        var data = new byte[32];
        Assert.Throws<ObjectDisposedException>(() => cipher.Transform(block, data, data));
        Assert.Throws<ObjectDisposedException>(() => cipher.SetKey(TestSuites.MasterKey128));
        Assert.All(data, b => Assert.Equal(0, b));
    }

    [Fact]
    public void DisposedPortableCipherRefusesToRekeyOrEncrypt()
    {
        var cipher = new PortableAesCtrCipher();
        cipher.SetKey(TestSuites.MasterKey128);
        cipher.Dispose();
        var data = new byte[32];
        Assert.Throws<ObjectDisposedException>(() => cipher.Transform(new byte[16], data, data));
        Assert.Throws<ObjectDisposedException>(() => cipher.SetKey(TestSuites.MasterKey128));
    }

    [Fact]
    public void ToStringIsRedacted()
    {
        using var keys = ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Right, TestSuites.MasterKey128, TestSuites.MasterSalt);
        var text = keys.ToString();
        Assert.Contains("redacted 16 bytes", text, StringComparison.Ordinal);
        Assert.Contains("right", text, StringComparison.Ordinal);
        Assert.DoesNotContain("0123", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(TestSuites.MasterKey128), text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void SameMaterialComparesKdRoleKeyAndSalt()
    {
        using var a = ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Left, TestSuites.MasterKey128, TestSuites.MasterSalt);
        using var b = ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Left, TestSuites.MasterKey128, TestSuites.MasterSalt);
        using var otherRole = ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Right, TestSuites.MasterKey128, TestSuites.MasterSalt);
        var otherKeyBytes = (byte[])TestSuites.MasterKey128.Clone();
        otherKeyBytes[15] ^= 1;
        using var otherKey = ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Left, otherKeyBytes, TestSuites.MasterSalt);
        Assert.True(a.HasSameMaterial(b));
        Assert.False(a.HasSameMaterial(otherRole));
        Assert.False(a.HasSameMaterial(otherKey));
    }

    [Fact]
    public void OneEncoderServesConnectionsWithDifferentKeysAndRoles()
    {
        // Per-thread codec, per-connection keys: each datagram decodes only with its own connection's keys.
        using var encoder = new SatpEncoder(Default);
        using var decoder = new SatpDecoder(Default);
        var keys = new[]
        {
            (Left: Keys(Role.Left, 1), Right: Keys(Role.Right, 1)),
            (Left: Keys(Role.Right, 2), Right: Keys(Role.Left, 2)),
            (Left: Keys(Role.Left, 3), Right: Keys(Role.Right, 3)),
        };
        try
        {
            for (var i = 0; i < keys.Length; i++)
            {
                var inner = TestSuites.IcmpPacket();
                var buffer = new byte[SatpPacket.RequiredBufferSize(inner.Length)];
                inner.CopyTo(buffer, SatpPacket.InnerOffset);
                var length = encoder.Encode(buffer, inner.Length, PayloadType.IPv4, 7, 0, (ushort)i, keys[i].Left);
                for (var j = 0; j < keys.Length; j++)
                {
                    var copy = buffer[..length];
                    var reason = decoder.Decode(copy, keys[j].Right, out _, out _, out var innerLength);
                    if (i == j)
                    {
                        Assert.Equal(DropReason.None, reason);
                        Assert.Equal(inner, copy.AsSpan(SatpPacket.InnerOffset, innerLength).ToArray());
                    }
                    else
                    {
                        Assert.Equal(DropReason.BadTag, reason);
                    }
                }
            }
        }
        finally
        {
            foreach (var (left, right) in keys)
            {
                left.Dispose();
                right.Dispose();
            }
        }
    }

    private static ConnectionKeys Keys(Role role, byte seed)
    {
        var key = (byte[])TestSuites.MasterKey128.Clone();
        key[0] = seed;
        return ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, role, key, TestSuites.MasterSalt);
    }
}
