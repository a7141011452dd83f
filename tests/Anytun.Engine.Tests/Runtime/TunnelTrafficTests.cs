using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Protocol;
using Anytun.Engine.Runtime;
using Anytun.Engine.Tests.Support;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>Two in-process tunnels with in-memory devices talking SATP over UDP on 127.0.0.1.</summary>
public sealed class TunnelTrafficTests
{
    [Fact]
    public async Task PacketInjectedOnOneSideAppearsOnTheOtherAndBack()
    {
        var portA = FreeUdpPort();
        var portB = FreeUdpPort();
        await using var b = await StartAsync($"-i 127.0.0.1 -p {portB} -r 127.0.0.1 -o {portA} -e right");
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {portB} -e left");

        var ping = Ipv4Packet(84, 7);
        Assert.True(a.Device.Inject(ping));
        Assert.Equal(ping, TakeWritten(b.Device));

        var pong = Ipv6Packet(104, 9);
        Assert.True(b.Device.Inject(pong));
        Assert.Equal(pong, TakeWritten(a.Device));

        var fromA = SingleConnection(a.Tunnel);
        Assert.Equal(1, fromA.PacketsOut);
        Assert.Equal(84, fromA.BytesOut);
        Assert.Equal(1, fromA.PacketsIn);
        Assert.Equal(104, fromA.BytesIn);
        Assert.Equal(1u, fromA.NextSequence);
        Assert.Equal(ConnectionState.Established, fromA.State);
        Assert.NotNull(fromA.LastReceived);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, portB), fromA.RemoteEndPoint);
        Assert.Equal(0, fromA.Drops.Total);
    }

    [Fact]
    public async Task ReceiverWithoutRemoteLearnsItFromTheFirstAuthenticatedDatagram()
    {
        await using var b = await StartAsync("-i 127.0.0.1 -p 0 -e right -m 7");
        Assert.Empty(b.Tunnel.GetConnections());
        var peerTask = b.Tunnel.WaitForPeerAsync();
        Assert.False(peerTask.IsCompleted);

        await using var a = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {b.Port} -e left -m 7");
        a.Device.Inject(Ipv4Packet(40));
        TakeWritten(b.Device);
        await peerTask.WaitAsync(WaitTimeout);

        var learned = SingleConnection(b.Tunnel);
        Assert.Equal(7, learned.Mux);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, a.Port), learned.RemoteEndPoint);

        b.Device.Inject(Ipv4Packet(50, 3));
        Assert.Equal(Ipv4Packet(50, 3), TakeWritten(a.Device));
    }

    [Fact]
    public async Task LearningIgnoresDatagramsWhoseTagDoesNotVerify()
    {
        await using var b = await StartAsync("-i 127.0.0.1 -p 0 -e right");
        await using var wrong = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {b.Port} -e left -K {OtherKey}");
        wrong.Device.Inject(Ipv4Packet());
        await WaitUntilAsync(() => b.Tunnel.GetTunnelDrops()[DropReason.BadTag] == 1, "a tunnel-level BadTag drop");
        Assert.Empty(b.Tunnel.GetConnections());
        AssertNothingWritten(b.Device);

        await using var right = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {b.Port} -e left");
        right.Device.Inject(Ipv4Packet());
        TakeWritten(b.Device);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, right.Port), SingleConnection(b.Tunnel).RemoteEndPoint);
    }

    [Fact]
    public async Task PeerThatMovesToAnotherEndpointIsFollowed()
    {
        await using var b = await StartAsync("-i 127.0.0.1 -p 0 -e right");
        await using var first = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {b.Port} -e left");
        first.Device.Inject(Ipv4Packet(40, 1));
        TakeWritten(b.Device);
        Assert.Equal(first.Port, SingleConnection(b.Tunnel).RemoteEndPoint!.Port);

        // The same peer (same keys and role) now sends from another port, as after a NAT rebinding: its sequence
        // numbers go on where they were (the roaming guard follows only a newer datagram).
        await using var moved = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {b.Port} -e left");
        using (var sequence = new ConnectionSpec(0) { NextSequence = 1 })
        {
            moved.Tunnel.Control.SetConnection(sequence);
        }

        moved.Device.Inject(Ipv4Packet(40, 2));
        TakeWritten(b.Device);
        Assert.Equal(moved.Port, SingleConnection(b.Tunnel).RemoteEndPoint!.Port);

        b.Device.Inject(Ipv4Packet(44, 5));
        Assert.Equal(Ipv4Packet(44, 5), TakeWritten(moved.Device));
        AssertNothingWritten(first.Device);
    }

    [Fact]
    public async Task WrongKeyIsCountedAsBadTagAndNothingIsDelivered()
    {
        var portA = FreeUdpPort();
        await using var b = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {portA} -e right");
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {b.Port} -e left -K {OtherKey}");
        for (var i = 0; i < 5; i++)
        {
            a.Device.Inject(Ipv4Packet());
        }

        await WaitUntilAsync(() => SingleConnection(b.Tunnel).DropsBadTag == 5, "5 BadTag drops");
        AssertNothingWritten(b.Device);
        var snapshot = SingleConnection(b.Tunnel);
        Assert.Equal(0, snapshot.PacketsIn);
        Assert.Null(snapshot.LastReceived);
        Assert.Equal(ConnectionState.Waiting, snapshot.State);
    }

    [Fact]
    public async Task RandomGarbageIsCountedAndValidTrafficContinues()
    {
        var portA = FreeUdpPort();
        await using var b = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {portA} -e right");
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {b.Port} -e left");
        using var raw = RawSocket();
        var target = new IPEndPoint(IPAddress.Loopback, b.Port);
        var random = new Random(1234);
        const int garbage = 300;
        for (var i = 0; i < garbage; i++)
        {
            var datagram = new byte[random.Next(0, 200)];
            random.NextBytes(datagram);
            if (datagram.Length >= 8)
            {
                datagram[6] = 0; // mux 0 so most garbage reaches the connection's tag check
                datagram[7] = (byte)(i % 10 == 0 ? 1 : 0);
            }

            raw.SendTo(datagram, target);
        }

        await WaitUntilAsync(
            () => SingleConnection(b.Tunnel).Drops.Total + b.Tunnel.GetTunnelDrops().Total == garbage,
            "every garbage datagram counted");
        var connection = SingleConnection(b.Tunnel);
        Assert.True(connection.DropsBadTag > 200);
        Assert.True(connection.DropsTooShort > 0);
        Assert.True(b.Tunnel.GetTunnelDrops()[DropReason.WrongMux] > 0);
        AssertNothingWritten(b.Device);

        a.Device.Inject(Ipv4Packet(64, 4));
        Assert.Equal(Ipv4Packet(64, 4), TakeWritten(b.Device));
        Assert.Equal(TunnelState.Running, b.Tunnel.State);
    }

    [Fact]
    public async Task ReplayedDatagramIsDroppedWithWindow64()
    {
        await using var b = await StartAsync("-i 127.0.0.1 -p 0 -e right -w 64");
        var datagram = CraftDatagram(Ipv4Packet(40), sequence: 0);
        using var raw = RawSocket();
        var target = new IPEndPoint(IPAddress.Loopback, b.Port);

        raw.SendTo(datagram, target);
        TakeWritten(b.Device);
        raw.SendTo(datagram, target);
        await WaitUntilAsync(() => SingleConnection(b.Tunnel).DropsReplay == 1, "one Replay drop");
        AssertNothingWritten(b.Device);

        raw.SendTo(CraftDatagram(Ipv4Packet(40), sequence: 1), target);
        TakeWritten(b.Device);
        await WaitUntilAsync(() => SingleConnection(b.Tunnel).PacketsIn == 2, "two delivered packets");
    }

    [Fact]
    public async Task ReplayedDatagramIsDeliveredAgainWithoutWindow()
    {
        await using var b = await StartAsync("-i 127.0.0.1 -p 0 -e right");
        var datagram = CraftDatagram(Ipv4Packet(40), sequence: 0);
        using var raw = RawSocket();
        var target = new IPEndPoint(IPAddress.Loopback, b.Port);
        raw.SendTo(datagram, target);
        raw.SendTo(datagram, target);
        TakeWritten(b.Device);
        TakeWritten(b.Device);
        Assert.Equal(0, SingleConnection(b.Tunnel).DropsReplay);
    }

    [Fact]
    public async Task TapFrameIsDroppedByATunReceiver()
    {
        var portA = FreeUdpPort();
        await using var b = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {portA} -e right -t tun");
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {b.Port} -e left -t tap", DeviceType.Tap);
        var frame = new byte[60];
        frame[12] = 0x08;
        frame[13] = 0x06;
        a.Device.Inject(frame);
        await WaitUntilAsync(() => SingleConnection(b.Tunnel).DropsWrongPayloadType == 1, "a WrongPayloadType drop");
        AssertNothingWritten(b.Device);
    }

    [Fact]
    public async Task TapTunnelCarriesEthernetFrames()
    {
        var portA = FreeUdpPort();
        await using var b = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {portA} -e right -t tap", DeviceType.Tap);
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {b.Port} -e left -t tap", DeviceType.Tap);
        var frame = Ipv4Packet(60, 8);
        frame[0] = 0xff; // an Ethernet frame starts with a MAC address, not an IP version nibble
        a.Device.Inject(frame);
        Assert.Equal(frame, TakeWritten(b.Device));
    }

    [Fact]
    public async Task TunPacketWithUnknownIpVersionIsNotSent()
    {
        await using var b = await StartAsync("-i 127.0.0.1 -p 0 -e right");
        await using var a = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {b.Port} -e left");
        var packet = Ipv4Packet();
        packet[0] = 0x15;
        a.Device.Inject(packet);
        await WaitUntilAsync(() => SingleConnection(a.Tunnel).DropsMalformed == 1, "a Malformed drop on the sender");
        Assert.Equal(0, SingleConnection(a.Tunnel).PacketsOut);
        Assert.Empty(b.Tunnel.GetConnections());
    }

    [Fact]
    public async Task DevicePacketsAreDroppedWhileNoRemoteIsKnown()
    {
        await using var a = await StartAsync("-i 127.0.0.1 -p 0 -e left");
        a.Device.Inject(Ipv4Packet());
        await WaitUntilAsync(() => a.Tunnel.GetTunnelDrops()[DropReason.NoConnection] == 1, "a NoConnection drop");
    }

    [Fact]
    public async Task DifferentMuxIsDroppedAsWrongMux()
    {
        var portA = FreeUdpPort();
        await using var b = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {portA} -e right -m 1");
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {b.Port} -e left -m 2");
        a.Device.Inject(Ipv4Packet());
        await WaitUntilAsync(() => b.Tunnel.GetTunnelDrops()[DropReason.WrongMux] == 1, "a WrongMux drop");
        AssertNothingWritten(b.Device);
    }

    [Fact]
    public async Task HostNameRemoteIsResolved()
    {
        await using var b = await StartAsync("-i 127.0.0.1 -p 0 -e right -4");
        await using var a = await StartAsync($"-i 127.0.0.1 -p 0 -r localhost -o {b.Port} -e left -4");
        await WaitUntilAsync(() => a.Tunnel.GetConnections() is [{ RemoteEndPoint: not null }], "the resolved connection");
        a.Device.Inject(Ipv4Packet());
        TakeWritten(b.Device);
    }

    private static byte[] CraftDatagram(byte[] inner, uint sequence)
    {
        using var suite = TestSuites.Default(Role.Left);
        using var encoder = suite.CreateEncoder();
        return TestSuites.Encode(encoder, inner, PayloadType.IPv4, sequence);
    }
}
