using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Routing;
using Anytun.Engine.Runtime;
using static Anytun.Engine.Tests.Control.ControlTestSupport;

namespace Anytun.Engine.Tests.Control;

/// <summary>The run-time control surface: add/set/remove, idempotent Apply, routing mode, events, stop.</summary>
public sealed class TunnelControlTests
{
    [Fact]
    public async Task AddedConnectionIsListedWithItsSettings()
    {
        await using var tunnel = Created();
        using var spec = Spec(3, "192.0.2.7", "secret", Role.Right, "10.3.0.0/16");
        spec.RemotePort = 5000;
        spec.WindowSize = 64;
        var snapshot = tunnel.Control.AddConnection(spec);
        Assert.Equal(3, snapshot.Mux);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 5000), snapshot.RemoteEndPoint);
        Assert.Equal(EntryOrigin.Cmdlet, snapshot.Origin);
        Assert.Equal(Role.Right, snapshot.Role);
        Assert.Equal(64u, snapshot.WindowSize);
        Assert.Equal("192.0.2.7", snapshot.RemoteHost);
        Assert.Equal(ConnectionState.Closed, snapshot.State);
        Assert.Equal(new[] { "10.3.0.0/16 -> 3" }, tunnel.Control.GetRoutes().Select(r => r.ToString()));
        Assert.Single(tunnel.GetConnections());
    }

    [Fact]
    public async Task AddingAnExistingConnectionOrRouteFailsAndChangesNothing()
    {
        await using var tunnel = Created();
        using (var first = Spec(1, "192.0.2.1", routes: "10.1.0.0/16"))
        {
            tunnel.Control.AddConnection(first);
        }

        using var again = Spec(1, "192.0.2.9");
        var exists = Assert.Throws<AnytunException>(() => tunnel.Control.AddConnection(again));
        Assert.Equal(AnytunErrorCode.ConnectionAlreadyExists, exists.Code);
        Assert.Equal("1", exists.Target);

        using var clash = Spec(2, "192.0.2.2", routes: "10.1.0.9/16");
        Assert.Equal(AnytunErrorCode.RouteAlreadyExists, Assert.Throws<AnytunException>(() => tunnel.Control.AddConnection(clash)).Code);
        Assert.Single(tunnel.GetConnections());
        Assert.Equal(IPAddress.Parse("192.0.2.1"), tunnel.GetConnections()[0].RemoteEndPoint!.Address);

        var route = Assert.Throws<AnytunException>(() => tunnel.Control.AddRoute(IPPrefix.Parse("10.1.0.0/16"), 2));
        Assert.Equal(AnytunErrorCode.RouteAlreadyExists, route.Code);
        Assert.Equal("10.1.0.0/16", route.Target);
    }

    [Fact]
    public async Task RemovingWhatIsMissingFailsWithNotFound()
    {
        await using var tunnel = Created();
        Assert.Equal(AnytunErrorCode.ConnectionNotFound, Assert.Throws<AnytunException>(() => tunnel.Control.RemoveConnection(5)).Code);
        Assert.Equal(AnytunErrorCode.RouteNotFound, Assert.Throws<AnytunException>(() => tunnel.Control.RemoveRoute(IPPrefix.Parse("10.0.0.0/8"))).Code);
        using var spec = Spec(5);
        Assert.Equal(AnytunErrorCode.ConnectionNotFound, Assert.Throws<AnytunException>(() => tunnel.Control.SetConnection(spec)).Code);
    }

    [Fact]
    public async Task RemovingAConnectionRemovesItsRoutesAndRetiresItsKeys()
    {
        await using var tunnel = Created();
        using (var spec = Spec(4, "192.0.2.4", routes: ["10.4.0.0/16", "fd04::/64"]))
        {
            tunnel.Control.AddConnection(spec);
        }

        tunnel.Control.AddRoute(IPPrefix.Parse("10.9.0.0/16"), 9);
        var keys = tunnel.Control.Connections.Find(4)!.Keys;
        var changes = tunnel.Control.RemoveConnection(4);
        Assert.Equal(new[] { TunnelChangeKind.ConnectionRemoved, TunnelChangeKind.RouteRemoved, TunnelChangeKind.RouteRemoved }, changes.Changes.Select(c => c.Kind));
        Assert.Equal(new[] { "10.9.0.0/16 -> 9" }, tunnel.Control.GetRoutes().Select(r => r.ToString()));

        // No engine thread runs before start, so nothing can hold the keys: they are zeroed at once.
        Assert.True(keys.IsDisposed);
        Assert.All(keys.BuffersForTests.Key, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task ApplyingTheSameConfigurationTwiceChangesNothingTheSecondTime()
    {
        await using var tunnel = Created();
        using (var configuration = Desired(20, i => i % 2 == 0 ? $"pass{i}" : null))
        {
            var first = tunnel.Control.Apply(configuration, ApplyMode.Replace);
            Assert.True(first.HasChanges);
            Assert.Equal(20, first.Changes.Count(c => c.Kind == TunnelChangeKind.ConnectionAdded));
            Assert.Equal(20, first.Changes.Count(c => c.Kind == TunnelChangeKind.RouteAdded));
        }

        var keysBefore = tunnel.Control.Connections.All.Select(c => c.Keys).ToList();
        using (var same = Desired(20, i => i % 2 == 0 ? $"pass{i}" : null))
        {
            var second = tunnel.Control.Apply(same, ApplyMode.Replace);
            Assert.False(second.HasChanges);
            Assert.Equal("no changes", second.ToString());
        }

        Assert.Equal(keysBefore, tunnel.Control.Connections.All.Select(c => c.Keys));
        Assert.All(keysBefore, k => Assert.False(k.IsDisposed));
    }

    [Fact]
    public async Task ApplyingAChangedSetTouchesOnlyTheDifferences()
    {
        await using var tunnel = Created();
        using (var configuration = Desired(5))
        {
            tunnel.Control.Apply(configuration, ApplyMode.Replace);
        }

        var untouched = tunnel.Control.Connections.Find(1)!;
        untouched.TakeNextSequence();
        untouched.TakeNextSequence();
        untouched.Counters.CountIn(100);
        var untouchedKeys = untouched.Keys;
        var rekeyedKeys = tunnel.Control.Connections.Find(2)!.Keys;

        using var changed = Desired(4); // connection 5 and its route go away
        changed.Connections[1].Passphrase = Anytun.Engine.Crypto.SecretBytes.FromUtf8("new key for 2");
        changed.Connections[2].RemoteHost = "192.0.2.33";
        changed.Connections[3].Routes = [IPPrefix.Parse("10.44.0.0/16")];
        var result = tunnel.Control.Apply(changed, ApplyMode.Replace);

        Assert.Equal(
            new[]
            {
                "ConnectionChanged 2: Keys (Cmdlet)",
                "ConnectionChanged 3: Remote (Cmdlet)",
                "ConnectionRemoved 5 (Cmdlet)",
                "RouteRemoved 10.1.0.5/32 -> 5 (Cmdlet)",
                "RouteRemoved 10.1.0.4/32 -> 4 (Cmdlet)",
                "RouteAdded 10.44.0.0/16 -> 4 (Cmdlet)",
            },
            result.Changes.Select(c => c.ToString()));
        Assert.Same(untouched, tunnel.Control.Connections.Find(1));
        Assert.Same(untouchedKeys, untouched.Keys);
        Assert.Equal(2u, untouched.NextSequence);
        Assert.Equal(1, untouched.Counters.PacketsIn);
        Assert.True(rekeyedKeys.IsDisposed);
        Assert.Equal(IPAddress.Parse("192.0.2.33"), tunnel.Control.GetConnection(3)!.RemoteEndPoint!.Address);
        Assert.Null(tunnel.Control.GetConnection(5));

        // Merge leaves what is not mentioned.
        using var merge = new TunnelConfiguration();
        merge.Connections.Add(Spec(9, "192.0.2.9"));
        tunnel.Control.Apply(merge, ApplyMode.Merge);
        Assert.Equal(new ushort[] { 1, 2, 3, 4, 9 }, tunnel.GetConnections().Select(c => c.Mux));
    }

    [Fact]
    public async Task AnInvalidConfigurationChangesNothing()
    {
        await using var tunnel = Created();
        using (var configuration = Desired(3))
        {
            tunnel.Control.Apply(configuration, ApplyMode.Replace);
        }

        var before = string.Join(",", tunnel.Control.GetRoutes());
        using var duplicate = Desired(3);
        duplicate.Connections.Add(Spec(2));
        Assert.Equal(AnytunErrorCode.InvalidOption, Assert.Throws<AnytunException>(() => tunnel.Control.Apply(duplicate, ApplyMode.Replace)).Code);

        using var conflict = Desired(3);
        conflict.Routes.Add((IPPrefix.Parse("10.1.0.1/32"), 7));
        Assert.Contains("connection 1 and for connection 7", Assert.Throws<AnytunException>(() => tunnel.Control.Apply(conflict, ApplyMode.Replace)).Message, StringComparison.Ordinal);

        using var badKey = Desired(3);
        badKey.Connections[2].Key = Anytun.Engine.Crypto.SecretBytes.FromHex("0011", "-K/--key");
        badKey.Connections[2].Salt = Anytun.Engine.Crypto.SecretBytes.FromHex("00112233445566778899aabbccdd", "-A/--salt");
        Assert.Equal(AnytunErrorCode.InvalidOption, Assert.Throws<AnytunException>(() => tunnel.Control.Apply(badKey, ApplyMode.Replace)).Code);

        using var bigWindow = Desired(3);
        bigWindow.Connections[0].WindowSize = 1_000_000;
        Assert.Contains("at most 65536", Assert.Throws<AnytunException>(() => tunnel.Control.Apply(bigWindow, ApplyMode.Replace)).Message, StringComparison.Ordinal);

        Assert.Equal(3, tunnel.GetConnections().Count);
        Assert.Equal(before, string.Join(",", tunnel.Control.GetRoutes()));
    }

    [Fact]
    public async Task SetChangesOnlyWhatItNames()
    {
        await using var tunnel = Created();
        using (var spec = Spec(1, "192.0.2.1", "one", Role.Left, "10.1.0.0/16"))
        {
            spec.WindowSize = 32;
            tunnel.Control.AddConnection(spec);
        }

        var keys = tunnel.Control.Connections.Find(1)!.Keys;
        using (var window = new ConnectionSpec(1) { WindowSize = 128 })
        {
            Assert.Equal("ConnectionChanged 1: WindowSize (Cmdlet)", Assert.Single(tunnel.Control.SetConnection(window).Changes).ToString());
        }

        using (var same = new ConnectionSpec(1) { WindowSize = 128, RemoteHost = "192.0.2.1" })
        {
            Assert.False(tunnel.Control.SetConnection(same).HasChanges);
        }

        Assert.Same(keys, tunnel.Control.Connections.Find(1)!.Keys);
        using (var role = new ConnectionSpec(1) { Role = Role.Right })
        {
            Assert.Equal(ConnectionProperties.Keys, Assert.Single(tunnel.Control.SetConnection(role).Changes).Properties);
        }

        var snapshot = tunnel.Control.GetConnection(1)!;
        Assert.Equal(Role.Right, snapshot.Role);
        Assert.Equal(128u, snapshot.WindowSize);
        Assert.Equal("192.0.2.1", snapshot.RemoteHost);
        Assert.Single(tunnel.Control.GetRoutes());

        // The same passphrase with the new role: the same material, so no change.
        using (var again = Spec(1, passphrase: "one", role: Role.Right))
        {
            Assert.False(tunnel.Control.SetConnection(again).HasChanges);
        }

        using (var routes = new ConnectionSpec(1) { Routes = [] })
        {
            Assert.Equal(TunnelChangeKind.RouteRemoved, Assert.Single(tunnel.Control.SetConnection(routes).Changes).Kind);
        }
    }

    [Fact]
    public async Task RoutingTurnsOnOnlyForWritersOtherThanTheCommandLineAndNeverOnTap()
    {
        await using (var tunnel = Created("-i 127.0.0.1 -p 0 -R 10.0.0.0/8"))
        {
            Assert.False(tunnel.Control.RoutingEnabled);
            Assert.Equal(EntryOrigin.CommandLine, Assert.Single(tunnel.Control.GetRoutes()).Origin);
            tunnel.Control.AddRoute(IPPrefix.Parse("10.9.0.0/16"), 0);
            Assert.True(tunnel.Control.RoutingEnabled);
        }

        await using (var tunnel = Created())
        {
            tunnel.Control.EnableRouting();
            Assert.True(tunnel.Control.RoutingEnabled);
        }

        await using (var tap = Created("-i 127.0.0.1 -p 0 -t tap", DeviceType.Tap))
        {
            tap.Control.AddRoute(IPPrefix.Parse("10.9.0.0/16"), 0);
            tap.Control.EnableRouting();
            Assert.False(tap.Control.RoutingEnabled);
        }
    }

    [Fact]
    public async Task ChangesArePublishedInOrderAndASlowSubscriberLosesChangesNotTheTunnel()
    {
        await using var tunnel = Created();
        using var all = tunnel.Control.Subscribe();
        using var tiny = tunnel.Control.Subscribe(capacity: 1);
        using (var spec = Spec(1, "192.0.2.1", routes: "10.1.0.0/16"))
        {
            tunnel.Control.AddConnection(spec);
        }

        tunnel.Control.RemoveRoute(IPPrefix.Parse("10.1.0.0/16"));
        tunnel.Control.RemoveConnection(1);

        var kinds = new List<TunnelChangeKind>();
        while (all.Reader.TryRead(out var change))
        {
            kinds.Add(change.Kind);
        }

        Assert.Equal(new[] { TunnelChangeKind.ConnectionAdded, TunnelChangeKind.RouteAdded, TunnelChangeKind.RouteRemoved, TunnelChangeKind.ConnectionRemoved }, kinds);
        Assert.Equal(0, all.Dropped);
        Assert.Equal(3, tiny.Dropped);
        Assert.True(tiny.Reader.TryRead(out var only));
        Assert.Equal(TunnelChangeKind.ConnectionAdded, only!.Kind);

        await tunnel.StopAsync();
        await all.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AStoppedTunnelRefusesChangesAndHasZeroedEveryKey()
    {
        var tunnel = Created();
        using (var spec = Spec(1, "192.0.2.1", "p"))
        {
            tunnel.Control.AddConnection(spec);
        }

        var keys = tunnel.Control.Connections.Find(1)!.Keys;
        var defaults = tunnel.Control.DefaultKeys;
        await tunnel.StopAsync();
        Assert.True(keys.IsDisposed);
        Assert.True(defaults.IsDisposed);
        Assert.All(defaults.BuffersForTests.Key, b => Assert.Equal(0, b));
        using var late = Spec(2);
        var error = Assert.Throws<AnytunException>(() => tunnel.Control.AddConnection(late));
        Assert.Equal(AnytunErrorCode.TunnelStopped, error.Code);
        Assert.Single(tunnel.GetConnections());
    }

    [Fact]
    public async Task AHostNameRemoteIsResolvedInTheBackground()
    {
        await using var tunnel = Created("-i 127.0.0.1 -p 0 -4");
        using var changes = tunnel.Control.Subscribe();
        using (var spec = Spec(1, "localhost"))
        {
            var snapshot = tunnel.Control.AddConnection(spec);
            Assert.Equal("localhost", snapshot.RemoteHost);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        TunnelChange? resolved = null;
        while (resolved is null && DateTime.UtcNow < deadline)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var change = await changes.Reader.ReadAsync(wait.Token);
            if (change.Kind == TunnelChangeKind.RemoteChanged)
            {
                resolved = change;
            }
        }

        Assert.NotNull(resolved);
        Assert.Equal(RemoteChangeReason.Resolved, resolved!.RemoteReason);
        Assert.Equal(IPAddress.Loopback, tunnel.Control.GetConnection(1)!.RemoteEndPoint!.Address);
    }

    [Fact]
    public async Task ARemoteLiteralOfAnExcludedFamilyIsRefused()
    {
        await using var tunnel = Created("-i 127.0.0.1 -p 0 -4");
        using var spec = Spec(1, "2001:db8::1");
        Assert.Equal(AnytunErrorCode.InvalidOption, Assert.Throws<AnytunException>(() => tunnel.Control.AddConnection(spec)).Code);
        Assert.Empty(tunnel.GetConnections());
    }
}
