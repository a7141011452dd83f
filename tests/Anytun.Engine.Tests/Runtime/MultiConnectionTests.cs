using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Protocol;
using Anytun.Engine.Routing;
using Anytun.Engine.Runtime;
using Anytun.Engine.Tests.Support;
using static Anytun.Engine.Tests.Runtime.MultiConnectionSupport;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>One tunnel, several connections with their own keys and roles, routed by destination.</summary>
public sealed class MultiConnectionTests
{
    private const string ServerKeys = "-K " + Key + " -A " + Salt;

    [Fact]
    public async Task ThreeConnectionsWithDifferentKeysAndRolesEachCarryOnlyTheirOwnTraffic()
    {
        var ports = new[] { FreeUdpPort(), FreeUdpPort(), FreeUdpPort() };
        await using var server = await StartExactAsync($"-i 127.0.0.1 -p 0 {ServerKeys}");
        using (var one = ClientSpec(1, ports[0], "one", Role.Left, "10.10.0.1/32"))
        using (var two = ClientSpec(2, ports[1], "two", Role.Right, "10.10.0.2/32"))
        using (var three = ClientSpec(3, ports[2], "three", Role.Left, "fd10::3/128"))
        {
            server.Tunnel.Control.AddConnection(one);
            server.Tunnel.Control.AddConnection(two);
            server.Tunnel.Control.AddConnection(three);
        }

        Assert.True(server.Tunnel.Control.RoutingEnabled);
        await using var c1 = await StartExactAsync($"-i 127.0.0.1 -p {ports[0]} -r 127.0.0.1 -o {server.Port} -m 1 -E one -e right");
        await using var c2 = await StartExactAsync($"-i 127.0.0.1 -p {ports[1]} -r 127.0.0.1 -o {server.Port} -m 2 -E two -e left");
        await using var c3 = await StartExactAsync($"-i 127.0.0.1 -p {ports[2]} -r 127.0.0.1 -o {server.Port} -m 3 -E three -e right");

        // Server → each client: the route picks the connection, its keys encrypt, only that client can decrypt.
        var toOne = Ipv4To("10.10.0.1", 60, 1);
        var toTwo = Ipv4To("10.10.0.2", 70, 2);
        var toThree = Ipv6To("fd10::3", 90, 3);
        Assert.True(server.Device.Inject(toOne));
        Assert.True(server.Device.Inject(toTwo));
        Assert.True(server.Device.Inject(toThree));
        Assert.Equal(toOne, TakeWritten(c1.Device));
        Assert.Equal(toTwo, TakeWritten(c2.Device));
        Assert.Equal(toThree, TakeWritten(c3.Device));
        AssertNothingWritten(c1.Device, 100);
        AssertNothingWritten(c2.Device, 100);
        AssertNothingWritten(c3.Device, 100);

        // Each client → server: found by mux, authenticated with that connection's keys.
        c1.Device.Inject(Ipv4Packet(41, 11));
        c2.Device.Inject(Ipv4Packet(42, 12));
        c3.Device.Inject(Ipv4Packet(43, 13));
        var delivered = new[] { TakeWritten(server.Device), TakeWritten(server.Device), TakeWritten(server.Device) };
        Assert.Equal(new[] { 41, 42, 43 }, delivered.Select(p => p.Length).Order());
        var byMux = server.Tunnel.GetConnections().ToDictionary(c => c.Mux);
        Assert.All(byMux.Values, c => Assert.Equal(1, c.PacketsIn));
        Assert.All(byMux.Values, c => Assert.Equal(1, c.PacketsOut));
        Assert.All(byMux.Values, c => Assert.Equal(0, c.Drops.Total));
        Assert.Equal(0, server.Tunnel.GetTunnelDrops().Total);

        // A peer that claims mux 2 with the keys of connection 1 fails the tag check of connection 2.
        await using var impostor = await StartExactAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {server.Port} -m 2 -E one -e right");
        impostor.Device.Inject(Ipv4Packet(44, 14));
        await WaitUntilAsync(() => server.Tunnel.Control.GetConnection(2)!.DropsBadTag == 1, "a BadTag drop on connection 2");
        AssertNothingWritten(server.Device, 100);
        Assert.Equal(ports[1], server.Tunnel.Control.GetConnection(2)!.RemoteEndPoint!.Port);
    }

    [Fact]
    public async Task APacketWithoutRouteIsCountedOnTheTunnelAndADeletedRouteStopsMatchingAtOnce()
    {
        var port = FreeUdpPort();
        await using var server = await StartExactAsync($"-i 127.0.0.1 -p 0 {ServerKeys}");
        using (var one = ClientSpec(1, port, "one", Role.Left, "10.10.0.0/24", "10.10.0.128/25"))
        {
            server.Tunnel.Control.AddConnection(one);
        }

        await using var c1 = await StartExactAsync($"-i 127.0.0.1 -p {port} -r 127.0.0.1 -o {server.Port} -m 1 -E one -e right");
        server.Device.Inject(Ipv4To("192.0.2.1"));
        await WaitUntilAsync(() => server.Tunnel.GetTunnelDrops()[DropReason.NoRoute] == 1, "a tunnel-level NoRoute drop");
        AssertNothingWritten(c1.Device, 100);

        server.Device.Inject(Ipv4To("10.10.0.200", 50, 5));
        Assert.Equal(Ipv4To("10.10.0.200", 50, 5), TakeWritten(c1.Device));

        // The /25 (partial octet ending in 0xFF, which hangs anytun) goes; the /24 still covers .200; then it goes too.
        server.Tunnel.Control.RemoveRoute(IPPrefix.Parse("10.10.0.128/25"));
        server.Device.Inject(Ipv4To("10.10.0.200", 51, 6));
        Assert.Equal(Ipv4To("10.10.0.200", 51, 6), TakeWritten(c1.Device));
        server.Tunnel.Control.RemoveRoute(IPPrefix.Parse("10.10.0.0/24"));
        server.Device.Inject(Ipv4To("10.10.0.200", 52, 7));
        await WaitUntilAsync(() => server.Tunnel.GetTunnelDrops()[DropReason.NoRoute] == 2, "the second NoRoute drop");
        AssertNothingWritten(c1.Device, 100);

        // A route to a mux without a connection: NoConnection, on the tunnel.
        server.Tunnel.Control.AddRoute(IPPrefix.Parse("0.0.0.0/0"), 77);
        server.Device.Inject(Ipv4To("192.0.2.1"));
        await WaitUntilAsync(() => server.Tunnel.GetTunnelDrops()[DropReason.NoConnection] == 1, "a NoConnection drop");
        Assert.Equal(0, server.Tunnel.Control.GetConnection(1)!.Drops.Total);
    }

    [Fact]
    public async Task APacketToTheConnectionsOwnRemoteIsARoutingLoopDroppedAndWarnedOnce()
    {
        var logs = new CapturingLoggerProvider();
        var portB = FreeUdpPort();
        await using var b = await StartAsync($"-i 127.0.0.1 -p {portB} -e right");
        await using var a = await StartExactAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {portB} -e left -K {Key} -A {Salt}", logs);

        // What a route "127.0.0.1 dev tun" would feed back into the device: the tunnel's own outer traffic.
        for (var i = 0; i < 3; i++)
        {
            a.Device.Inject(Ipv4To("127.0.0.1", 60, (byte)i));
        }

        await WaitUntilAsync(() => SingleConnection(a.Tunnel).DropsRoutingLoop == 3, "three RoutingLoop drops");
        Assert.Equal(0, SingleConnection(a.Tunnel).PacketsOut);
        AssertNothingWritten(b.Device, 100);
        Assert.Single(logs.Lines, l => l.EventName == "RoutingLoop");

        // Other destinations keep flowing.
        a.Device.Inject(Ipv4To("127.0.0.2", 61, 9));
        Assert.Equal(Ipv4To("127.0.0.2", 61, 9), TakeWritten(b.Device));
        Assert.Equal(TunnelState.Running, a.Tunnel.State);
    }

    [Fact]
    public async Task AReplayFromAnotherAddressDoesNotMoveTheRemoteEvenWithoutAWindow()
    {
        await using var b = await StartAsync("-i 127.0.0.1 -p 0 -e right");
        using var peer = RawSocket();
        using var replayer = RawSocket();
        var target = new IPEndPoint(IPAddress.Loopback, b.Port);
        var captured = new List<byte[]>();
        for (uint seq = 0; seq < 6; seq++)
        {
            captured.Add(Craft(Ipv4Packet(40, (byte)seq), seq));
            peer.SendTo(captured[^1], target);
            TakeWritten(b.Device);
        }

        var peerPort = ((IPEndPoint)peer.LocalEndPoint!).Port;
        Assert.Equal(peerPort, SingleConnection(b.Tunnel).RemoteEndPoint!.Port);

        // -w 0: anytun delivers the replays and moves its remote to the replayer. Here they are still delivered
        // (window semantics unchanged) but the remote stays with the peer.
        foreach (var datagram in captured)
        {
            replayer.SendTo(datagram, target);
            TakeWritten(b.Device);
        }

        var snapshot = SingleConnection(b.Tunnel);
        Assert.Equal(peerPort, snapshot.RemoteEndPoint!.Port);
        Assert.Equal(6, snapshot.RemoteChangesRefused);
        b.Device.Inject(Ipv4Packet(50, 1));
        var buffer = new byte[2048];
        peer.ReceiveTimeout = 5000;
        Assert.True(peer.Receive(buffer) > 0, "the answer goes to the peer, not the replayer");

        // A newer datagram from another address is the peer roaming: followed.
        replayer.SendTo(Craft(Ipv4Packet(40, 7), 6), target);
        TakeWritten(b.Device);
        Assert.Equal(((IPEndPoint)replayer.LocalEndPoint!).Port, SingleConnection(b.Tunnel).RemoteEndPoint!.Port);
    }

    [Fact]
    public async Task InvalidDatagramsAreAllCountedAndTheUnknownOnesOnTheTunnel()
    {
        const int Total = 100_000;
        var portA = FreeUdpPort();
        await using var b = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {portA} -e right");
        using var raw = RawSocket();
        var target = new IPEndPoint(IPAddress.Loopback, b.Port);
        var tooShort = new byte[5];
        var unknownMux = new byte[40];
        unknownMux[7] = 7;
        var badTag = new byte[40];
        badTag[20] = 0x55;
        long sentShort = 0, sentUnknown = 0, sentBadTag = 0;
        for (var sent = 0; sent < Total;)
        {
            // Paced in chunks, so the socket buffer never overflows and every datagram reaches the receiver.
            var chunk = Math.Min(500, Total - sent);
            for (var i = 0; i < chunk; i++, sent++)
            {
                switch (sent % 3)
                {
                    case 0: raw.SendTo(tooShort, target); sentShort++; break;
                    case 1: raw.SendTo(unknownMux, target); sentUnknown++; break;
                    default: raw.SendTo(badTag, target); sentBadTag++; break;
                }
            }

            var expected = sent;
            await WaitUntilAsync(() => b.Tunnel.Receivers[0].Processed >= expected, $"{expected} datagrams processed");
        }

        var tunnelDrops = b.Tunnel.GetTunnelDrops();
        var connection = SingleConnection(b.Tunnel);
        Assert.Equal(sentShort, tunnelDrops[DropReason.TooShort]);
        Assert.Equal(sentUnknown, tunnelDrops[DropReason.WrongMux]);
        Assert.Equal(sentBadTag, connection.DropsBadTag);
        Assert.Equal(Total, tunnelDrops.Total + connection.Drops.Total);
        Assert.Equal(0, connection.DropsWrongMux);
        AssertNothingWritten(b.Device, 100);
    }

    private static byte[] Craft(byte[] inner, uint sequence)
    {
        using var suite = TestSuites.Default(Role.Left);
        using var encoder = suite.CreateEncoder();
        return TestSuites.Encode(encoder, inner, PayloadType.IPv4, sequence);
    }
}
