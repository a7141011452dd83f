using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Crypto;
using static Anytun.Engine.Tests.Control.ControlTestSupport;

namespace Anytun.Engine.Tests.Control;

/// <summary>
/// TunnelControl.HasIdenticalConnection: what tells an idempotent Add-AnytunConnection (ConnectionAlreadyExists) from a
/// different connection on the same mux (MuxInUse), and what Sync-AnytunConnection -WhatIf reports as unchanged.
/// </summary>
public sealed class IdenticalConnectionTests
{
    [Fact]
    public async Task TheSameSpecAgainIsIdentical()
    {
        await using var tunnel = Created();
        using var spec = Spec(1, "192.0.2.1", "k1", Role.Right, "10.1.0.0/16");
        tunnel.Control.AddConnection(spec);
        using var again = Spec(1, "192.0.2.1", "k1", Role.Right, "10.1.0.0/16");
        Assert.True(tunnel.Control.HasIdenticalConnection(again));
    }

    [Fact]
    public async Task UnsetKeySettingsMeanTheTunnelsDefaults()
    {
        await using var tunnel = Created();
        using var spec = Spec(2);
        tunnel.Control.AddConnection(spec);
        using var again = Spec(2);
        Assert.True(tunnel.Control.HasIdenticalConnection(again));
        using var explicitDefaults = new ConnectionSpec(2) { Key = SecretBytes.FromHex(Key, "key"), Salt = SecretBytes.FromHex(Salt, "salt") };
        Assert.True(tunnel.Control.HasIdenticalConnection(explicitDefaults));
    }

    [Theory]
    [InlineData("other passphrase", null, null, null)]
    [InlineData(null, "192.0.2.99", null, null)]
    [InlineData(null, null, 64u, null)]
    [InlineData(null, null, null, "10.9.0.0/16")]
    public async Task AnyDifferenceIsNotIdentical(string? passphrase, string? remote, uint? window, string? route)
    {
        await using var tunnel = Created();
        using var spec = Spec(3, "192.0.2.3", "k3", null, "10.3.0.0/16");
        tunnel.Control.AddConnection(spec);
        using var other = Spec(3, remote ?? "192.0.2.3", passphrase ?? "k3", null, route ?? "10.3.0.0/16");
        other.WindowSize = window;
        Assert.False(tunnel.Control.HasIdenticalConnection(other));
    }

    [Fact]
    public async Task ARoleChangeIsNotIdentical()
    {
        await using var tunnel = Created();
        using var spec = Spec(4, passphrase: "k4", role: Role.Left);
        tunnel.Control.AddConnection(spec);
        using var other = Spec(4, passphrase: "k4", role: Role.Right);
        Assert.False(tunnel.Control.HasIdenticalConnection(other));
    }

    [Fact]
    public async Task AMissingConnectionIsNotIdenticalAndNothingChanges()
    {
        await using var tunnel = Created();
        using var spec = Spec(5, "192.0.2.5");
        Assert.False(tunnel.Control.HasIdenticalConnection(spec));
        Assert.Empty(tunnel.GetConnections());
    }

    [Fact]
    public async Task AnInvalidSpecThrowsInvalidOption()
    {
        await using var tunnel = Created();
        using var spec = Spec(6);
        tunnel.Control.AddConnection(spec);
        using var bad = new ConnectionSpec(6) { Key = SecretBytes.FromHex("0011", "key") };
        Assert.Equal(AnytunErrorCode.InvalidOption, Assert.Throws<AnytunException>(() => tunnel.Control.HasIdenticalConnection(bad)).Code);
    }
}
