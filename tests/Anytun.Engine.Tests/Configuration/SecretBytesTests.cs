using System.Text;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Tests.Configuration;

public sealed class SecretBytesTests
{
    [Theory]
    [InlineData("", new byte[0])]
    [InlineData("00ff", new byte[] { 0x00, 0xff })]
    [InlineData("aBcD", new byte[] { 0xab, 0xcd })]
    public void FromHexParses(string hex, byte[] expected)
    {
        using var secret = SecretBytes.FromHex(hex, OptionNames.Key);
        Assert.Equal(expected, secret.Span.ToArray());
        Assert.Equal(expected.Length, secret.Length);
    }

    [Theory]
    [InlineData("abc", "odd")]
    [InlineData("zz", "character 1")]
    [InlineData("a g0", "character 2")]
    [InlineData("0x", "character 2")]
    public void FromHexRejectsAndNamesOption(string hex, string expected)
    {
        var ex = Assert.Throws<AnytunException>(() => SecretBytes.FromHex(hex, OptionNames.Salt));
        OptionAssert.Check(ex, AnytunErrorCode.InvalidOption, OptionNames.Salt, expected);
    }

    [Fact]
    public void DisposeZeroesAndBlocksAccess()
    {
        var secret = SecretBytes.FromHex("0123456789abcdef", OptionNames.Key);
        var buffer = secret.BufferForTests;
        Assert.Contains(buffer, b => b != 0);

        secret.Dispose();
        secret.Dispose();

        Assert.True(secret.IsDisposed);
        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => secret.Span.Length);
    }

    [Fact]
    public void ToStringIsRedacted()
    {
        using var secret = SecretBytes.FromUtf8("hunter2");
        Assert.Equal("<redacted 7 bytes>", secret.ToString());
        Assert.Equal("<redacted 7 bytes>", $"{secret}");
    }

    [Fact]
    public void FromUtf16CharsEncodesUtf8()
    {
        const string text = "päss→€";
        using var secret = SecretBytes.FromUtf16Chars(text.AsSpan());
        Assert.Equal(Encoding.UTF8.GetBytes(text), secret.Span.ToArray());
        using var viaString = SecretBytes.FromUtf8(text);
        Assert.True(secret.ContentEquals(viaString));
    }

    [Fact]
    public void CloneIsIndependent()
    {
        using var original = SecretBytes.FromBytes(new byte[] { 1, 2, 3 });
        var clone = original.Clone();
        clone.Dispose();
        Assert.Equal(new byte[] { 1, 2, 3 }, original.Span.ToArray());
        Assert.False(original.ContentEquals(null));
    }

    [Fact]
    public void BufferIsPinned()
    {
        using var secret = SecretBytes.FromBytes(new byte[] { 1 });
        // Pinned-heap arrays live in the POH, which the GC never compacts, so no stray copies are made.
        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(secret.BufferForTests));
    }
}
