using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Anytun.Engine.Crypto;
using Anytun.Engine.Configuration;
using Anytun.Engine.Protocol;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Crypto;

/// <summary>Key material lives in pinned arrays that Dispose zeroes.</summary>
public sealed class KeyZeroingTests
{
    [Fact]
    public void AesNiRoundKeysAreZeroedOnDispose()
    {
        if (!AesCtrCipher.IsHardwareAccelerated)
        {
            return;
        }

        var cipher = new AesNiCtrCipher();
        cipher.SetKey(TestSuites.MasterKey256);
        var roundKeys = cipher.ScheduleForTests.RoundKeysForTests;
        Assert.Contains(MemoryMarshal.AsBytes(roundKeys.AsSpan()).ToArray(), b => b != 0);
        cipher.Dispose();
        Assert.All(MemoryMarshal.AsBytes(roundKeys.AsSpan()).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void SuiteMasterKeyAndSaltAreZeroedOnDispose()
    {
        var suite = TestSuites.Default(Role.Left);
        var (key, salt) = suite.Keys.BuffersForTests;
        Assert.Equal(TestSuites.MasterKey128, key);
        suite.Dispose();
        Assert.All(key, b => Assert.Equal(0, b));
        Assert.All(salt, b => Assert.Equal(0, b));
    }

    [Fact]
    public void EncoderScratchIsZeroedOnDispose()
    {
        using var suite = TestSuites.Default(Role.Left);
        var encoder = suite.CreateEncoder();
        TestSuites.Encode(encoder, TestSuites.IcmpPacket(), PayloadType.IPv4, 1);
        var protection = Field(encoder, "_protection");
        var scratch = (byte[])Field(protection, "_scratch");
        Assert.Contains(scratch, b => b != 0);
        encoder.Dispose();
        Assert.All(scratch, b => Assert.Equal(0, b));
    }

    private static object Field(object owner, string name) =>
        owner.GetType().GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(owner)!;
}
