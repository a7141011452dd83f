using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;
using Anytun.Engine.Device;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Tests.Configuration;

/// <summary>
/// Regression (issue 9, bug 3, engine side): secrets are zeroed as soon as nothing needs them. Replaced option secrets,
/// the tunnel's private copy of the options (its keys live in the connections from Create on), intermediate buffers,
/// and every key of a stopped tunnel.
/// </summary>
public sealed class SecretLifetimeTests
{
    private const string Key = "0123456789abcdef0123456789abcdef";
    private const string Salt = "0123456789abcdef0123456789ab";

    [Fact]
    public void ReplacingAnOptionSecretZeroesTheOldOne()
    {
        using var options = new TunnelOptions { Passphrase = SecretBytes.FromUtf8("first") };
        var first = options.Passphrase!;
        options.Passphrase = SecretBytes.FromUtf8("second");
        Assert.True(first.IsDisposed);
        Assert.All(first.BufferForTests, b => Assert.Equal(0, b));
        var key = SecretBytes.FromHex(Key, OptionNames.Key);
        options.Key = key;
        options.Key = key; // the same object again is kept, not zeroed
        Assert.False(key.IsDisposed);
        options.Dispose();
        Assert.True(key.IsDisposed);
        Assert.Null(options.Key);
    }

    [Fact]
    public void ALaterCommandLineSecretZeroesTheEarlierOne()
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-K {Key} -A {Salt} -E one -E two");
        Assert.Equal("two"u8.ToArray(), options.Passphrase!.Span.ToArray());
    }

    [Fact]
    public async Task TheTunnelsCopyOfTheOptionsHoldsNoSecretAfterCreate()
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -K {Key} -A {Salt} -E pass");
        await using var tunnel = Tunnel.Create(options, device: new ChannelPacketDevice());
        var copy = (TunnelOptions)typeof(Tunnel).GetField("_options", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(tunnel)!;
        Assert.Null(copy.Key);
        Assert.Null(copy.Salt);
        Assert.Null(copy.Passphrase);

        // The caller's options are its own and still usable; the keys live in the control surface.
        Assert.False(options.Key!.IsDisposed);
        Assert.False(tunnel.Control.DefaultKeys.IsDisposed);
        Assert.DoesNotContain(Key, tunnel.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MoveFromZeroesTheSourceBuffer()
    {
        var buffer = Convert.FromHexString(Key);
        using var secret = SecretBytes.MoveFrom(buffer);
        Assert.Equal(Convert.FromHexString(Key), secret.Span.ToArray());
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public void HexFromACharBufferParsesLikeTheString()
    {
        var chars = Key.ToCharArray();
        using var fromChars = SecretBytes.FromHex(chars, OptionNames.Key);
        using var fromString = SecretBytes.FromHex(Key, OptionNames.Key);
        Assert.True(fromChars.ContentEquals(fromString));
        Assert.Equal(AnytunErrorCode.InvalidOption, Assert.Throws<AnytunException>(() => SecretBytes.FromHex("abc".AsSpan(), OptionNames.Key)).Code);
    }
}
