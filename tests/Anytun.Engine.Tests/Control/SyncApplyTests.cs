using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Control;
using Anytun.Engine.Crypto;
using Anytun.Engine.Sync;
using Anytun.Engine.Tests.Support;
using static Anytun.Engine.Tests.Control.ControlTestSupport;

namespace Anytun.Engine.Tests.Control;

/// <summary>Received sync commands applied with anytun's receiver rules (spec §1.5), from the recorded controld stream.</summary>
public sealed class SyncApplyTests
{
    private const string Passphrase = "Creating_VPN_Tunnels_With_Anytun_Is_Easy";
    private const string Source = "control host test";

    [Fact]
    public async Task TheControldStreamGivesAnytunsTables()
    {
        await using var tunnel = Created();
        var changes = Apply(tunnel, Commands("controld/nc-controld.bin"));

        // Spec §3: two connections "not registered" (the file carries 0.0.0.0), three routes in dump order.
        Assert.Equal(new ushort[] { 1, 2 }, tunnel.GetConnections().Select(c => c.Mux));
        Assert.All(tunnel.GetConnections(), c =>
        {
            Assert.Null(c.RemoteEndPoint);
            Assert.Equal(EntryOrigin.ControlHost, c.Origin);
            Assert.Equal(Role.Left, c.Role);
            Assert.Equal(KeyDerivationPrf.AesCtr128, c.KdPrf);
            Assert.Equal(0u, c.NextSequence);
        });
        Assert.Equal(
            new[] { "10.201.0.0/16 -> 2", "10.200.0.2/32 -> 1", "10.200.0.3/32 -> 2" },
            tunnel.Control.GetRoutes().Select(r => r.ToString()));
        Assert.All(tunnel.Control.GetRoutes(), r => Assert.Equal(EntryOrigin.ControlHost, r.Origin));
        Assert.True(tunnel.Control.RoutingEnabled);
        Assert.Equal(5, changes.Changes.Count);

        // The keys are anytun-config's passphrase derivation (last 16 bytes of SHA-256, last 14 of SHA-1).
        using var expected = PassphraseKeys(Passphrase, Role.Left);
        Assert.True(tunnel.Control.Connections.Find(1)!.Keys.HasSameMaterial(expected));
    }

    [Fact]
    public async Task TheSameTableAgainChangesNothingAndAReloadMerges()
    {
        await using var tunnel = Created();
        Apply(tunnel, Commands("controld/nc-controld.bin"));
        var keys = tunnel.Control.Connections.Find(1)!.Keys;
        Assert.False(Apply(tunnel, Commands("controld/nc-controld.bin")).HasChanges);
        Assert.Same(keys, tunnel.Control.Connections.Find(1)!.Keys);

        // controld restarted with table2 (mux 1 now routes 10.200.0.0/24): anytun keeps both routes (spec §3).
        var reload = Apply(tunnel, Commands("controld/nc-s1-sync-after-reload.bin"));
        Assert.Contains(reload.Changes, c => c.Kind == TunnelChangeKind.RouteAdded && c.Prefix.ToString() == "10.200.0.0/24");
        Assert.Contains("10.200.0.2/32 -> 1", tunnel.Control.GetRoutes().Select(r => r.ToString()));
        Assert.Contains("10.200.0.0/24 -> 1", tunnel.Control.GetRoutes().Select(r => r.ToString()));
    }

    [Fact]
    public async Task TheSequenceIsOverwrittenEvenBackwards()
    {
        await using var tunnel = Created();
        Apply(tunnel, Connection(5, Passphrase, sequence: 100));
        Assert.Equal(100u, tunnel.Control.GetConnection(5)!.NextSequence);
        var changes = Apply(tunnel, Connection(5, Passphrase, sequence: 7));
        Assert.Equal(7u, tunnel.Control.GetConnection(5)!.NextSequence);
        Assert.Equal(ConnectionProperties.Sequence, Assert.Single(changes.Changes).Properties);
    }

    [Theory]
    [InlineData("0.0.0.0", 4444)] // anytun-config's "no -r"
    [InlineData("0.0.0.0", 0)] // anytun's unset endpoint
    [InlineData("::", 4444)]
    [InlineData("::", 0)]
    public async Task AnUnknownEndpointNeverErasesAKnownOne(string host, ushort port)
    {
        await using var tunnel = Created();
        Apply(tunnel, Connection(3, Passphrase, remote: "192.0.2.9", port: 4444));
        Assert.Equal(IPEndPoint.Parse("192.0.2.9:4444"), tunnel.Control.GetConnection(3)!.RemoteEndPoint);

        Apply(tunnel, Connection(3, Passphrase, remote: host, port: port));
        Assert.Equal(IPEndPoint.Parse("192.0.2.9:4444"), tunnel.Control.GetConnection(3)!.RemoteEndPoint);

        var moved = Apply(tunnel, Connection(3, Passphrase, remote: "2001:db8::7", port: 5555));
        Assert.Equal(IPEndPoint.Parse("[2001:db8::7]:5555"), tunnel.Control.GetConnection(3)!.RemoteEndPoint);
        Assert.Equal(ConnectionProperties.Remote, Assert.Single(moved.Changes).Properties);
    }

    [Fact]
    public async Task ACommandReplacesTheKeysRoleAndWindowOfItsMux()
    {
        await using var tunnel = Created();
        Apply(tunnel, Connection(2, "first", window: 0));
        var changes = Apply(tunnel, Connection(2, "second", role: Role.Right, window: 64));
        var change = Assert.Single(changes.Changes);
        Assert.Equal(TunnelChangeKind.ConnectionChanged, change.Kind);
        Assert.Equal(ConnectionProperties.Keys | ConnectionProperties.WindowSize, change.Properties);
        var snapshot = tunnel.Control.GetConnection(2)!;
        Assert.Equal(Role.Right, snapshot.Role);
        Assert.Equal(64u, snapshot.WindowSize);
        using var expected = PassphraseKeys("second", Role.Right);
        Assert.True(tunnel.Control.Connections.Find(2)!.Keys.HasSameMaterial(expected));
    }

    [Fact]
    public async Task KeysOfTheWrongLengthKeepThePreviousKeysAsAnytunDoes()
    {
        await using var tunnel = Created();
        Apply(tunnel, Connection(4, Passphrase));
        using (var empty = new SyncConnectionCommand(4, Role.Left, 128, SecretBytes.FromBytes(default), SecretBytes.FromBytes(default), 0, 0, "0.0.0.0", 4444))
        {
            Assert.False(Apply(tunnel, empty).HasChanges);
        }

        using var expected = PassphraseKeys(Passphrase, Role.Left);
        Assert.True(tunnel.Control.Connections.Find(4)!.Keys.HasSameMaterial(expected));

        // A mux first heard of with unusable keys gets anytun's placeholder keys (connectionList.cpp).
        using (var empty = new SyncConnectionCommand(9, Role.Right, 128, SecretBytes.FromBytes(default), SecretBytes.FromBytes(default), 0, 0, "0.0.0.0", 4444))
        {
            Apply(tunnel, empty);
        }

        using var placeholder = ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Right, "abcdefghijklmnop"u8, "abcdefghijklmn"u8);
        Assert.True(tunnel.Control.Connections.Find(9)!.Keys.HasSameMaterial(placeholder));
    }

    [Fact]
    public async Task TheKeyLengthPicksTheKdPrf()
    {
        await using var tunnel = Created();
        using var key = SecretBytes.FromBytes(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        using var salt = SecretBytes.FromBytes(Enumerable.Range(1, 14).Select(i => (byte)i).ToArray());
        using var command = new SyncConnectionCommand(6, Role.Left, 256, salt, key, 0, 0, "0.0.0.0", 0);
        Apply(tunnel, command);
        Assert.Equal(KeyDerivationPrf.AesCtr256, tunnel.Control.GetConnection(6)!.KdPrf);
    }

    [Fact]
    public async Task ARouteCommandRepointsItsPrefixAndClampsTheLength()
    {
        await using var tunnel = Created();
        Apply(tunnel, SyncRouteCommand.FromText(SyncAddressType.IPv4, "10.200.0.0", 24, 1));
        var changes = Apply(tunnel, SyncRouteCommand.FromText(SyncAddressType.IPv4, "10.200.0.0", 24, 2));
        Assert.Equal(TunnelChangeKind.RouteChanged, Assert.Single(changes.Changes).Kind);
        Assert.Equal(new[] { "10.200.0.0/24 -> 2" }, tunnel.Control.GetRoutes().Select(r => r.ToString()));

        Apply(tunnel, SyncRouteCommand.FromText(SyncAddressType.IPv4, "10.9.9.9", 40, 3));
        Apply(tunnel, SyncRouteCommand.FromText(SyncAddressType.IPv6, "fd00::1", 200, 3));
        Apply(tunnel, SyncRouteCommand.CreateEthernet(0x0200_0000_0001, 48, 3));
        Assert.Equal(
            new[] { "10.200.0.0/24 -> 2", "10.9.9.9/32 -> 3", "fd00::1/128 -> 3" },
            tunnel.Control.GetRoutes().Select(r => r.ToString()));
    }

    [Fact]
    public async Task AfterStopNothingIsApplied()
    {
        var tunnel = Created();
        await tunnel.StopAsync();
        var stopped = Assert.Throws<AnytunException>(() => Apply(tunnel, Connection(1, Passphrase)));
        Assert.Equal(AnytunErrorCode.TunnelStopped, stopped.Code);
    }

    internal static SyncConnectionCommand Connection(ushort mux, string passphrase, Role role = Role.Left, uint window = 0, uint sequence = 0, string remote = "0.0.0.0", ushort port = 4444)
    {
        using var key = MasterKeyMaterial.KeyFromPassphrase(System.Text.Encoding.UTF8.GetBytes(passphrase), 16);
        using var salt = MasterKeyMaterial.SaltFromPassphrase(System.Text.Encoding.UTF8.GetBytes(passphrase));
        return new SyncConnectionCommand(mux, role, 128, salt, key, window, sequence, remote, port);
    }

    private static ConnectionKeys PassphraseKeys(string passphrase, Role role)
    {
        using var key = MasterKeyMaterial.KeyFromPassphrase(System.Text.Encoding.UTF8.GetBytes(passphrase), 16);
        using var salt = MasterKeyMaterial.SaltFromPassphrase(System.Text.Encoding.UTF8.GetBytes(passphrase));
        return ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, role, key.Span, salt.Span);
    }

    private static List<SyncCommand> Commands(string vector) =>
        SyncStreamReader.ReadAll(ControlPlaneVectors.Bytes(vector)).Select(m => m.Command!).ToList();

    private static ConfigurationChanges Apply(Anytun.Engine.Runtime.Tunnel tunnel, params SyncCommand[] commands) => Apply(tunnel, commands.ToList());

    private static ConfigurationChanges Apply(Anytun.Engine.Runtime.Tunnel tunnel, List<SyncCommand> commands)
    {
        try
        {
            return tunnel.Control.ApplySyncCommands(commands, EntryOrigin.ControlHost, Source);
        }
        finally
        {
            foreach (var command in commands.OfType<SyncConnectionCommand>())
            {
                command.Dispose();
            }
        }
    }
}
