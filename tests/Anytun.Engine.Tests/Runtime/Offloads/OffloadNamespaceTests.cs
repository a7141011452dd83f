using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Anytun.Engine.Runtime;
using Anytun.Engine.Tests.Support;
using Xunit.Abstractions;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime.Offloads;

/// <summary>
/// Two real tunnels in two namespaces with the offloads on, off, and mixed. With one side off, that side's kernel checks
/// every checksum the other side's segmenter wrote (a wrong one would stall the stream); TCP streams over IPv4 and IPv6
/// must arrive byte for byte in both directions.
/// </summary>
[Trait("Category", "RequiresRoot")]
public sealed class OffloadNamespaceTests
{
    private const int TransferBytes = 6 * 1024 * 1024;
    private static readonly TimeSpan TransferTimeout = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _output;

    public OffloadNamespaceTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [RequiresRootTheory("ping")]
    [InlineData("all", "all", "tun")]
    [InlineData("all", "0", "tun")]
    [InlineData("0", "all", "tun")]
    [InlineData("0", "0", "tun")]
    [InlineData("tun,batch", "gro", "tun")]
    [InlineData("all", "all", "tap")]
    [InlineData("all", "0", "tap")]
    [InlineData("0", "all", "tap")]
    public async Task TcpStreamsCrossTheTunnelIntactBothWays(string offloadsA, string offloadsB, string deviceType)
    {
        RootEnvironment.Require();
        using var nsA = NetNamespace.Create();
        using var nsB = NetNamespace.Create();
        nsA.Exec("ip", "link", "add", "h7va", "type", "veth", "peer", "name", "h7vb", "netns", nsB.Name);
        nsA.Exec("ip", "addr", "add", "10.200.70.1/24", "dev", "h7va");
        nsA.Exec("ip", "link", "set", "h7va", "up");
        nsB.Exec("ip", "addr", "add", "10.200.70.2/24", "dev", "h7vb");
        nsB.Exec("ip", "link", "set", "h7vb", "up");

        await using var a = StartIn(nsA, $"-i 10.200.70.1 -r 10.200.70.2 -n 10.200.71.1/24 -e left -d h7ta -t {deviceType}", offloadsA);
        await using var b = StartIn(nsB, $"-i 10.200.70.2 -r 10.200.70.1 -n 10.200.71.2/24 -e right -d h7tb -t {deviceType}", offloadsB);
        nsA.Exec("ip", "-6", "addr", "add", "fd00:71::1/64", "dev", "h7ta", "nodad");
        nsB.Exec("ip", "-6", "addr", "add", "fd00:71::2/64", "dev", "h7tb", "nodad");
        Assert.Equal(0, nsA.ExecStatus("ping", "-c", "1", "-W", "5", "10.200.71.2"));

        await TransferAsync(nsA, nsB, IPAddress.Parse("10.200.71.2"));
        await TransferAsync(nsB, nsA, IPAddress.Parse("10.200.71.1"));
        await TransferAsync(nsA, nsB, IPAddress.Parse("fd00:71::2"));
        await TransferAsync(nsB, nsA, IPAddress.Parse("fd00:71::1"));
        UdpBurst(nsA, nsB, IPAddress.Parse("10.200.71.2"));
        UdpBurst(nsB, nsA, IPAddress.Parse("fd00:71::1"));

        var fromA = a.GetConnections().Single();
        var fromB = b.GetConnections().Single();
        Assert.Equal(0, fromA.DropsBadTag + fromA.DropsMalformed + fromA.DropsDeviceError);
        Assert.Equal(0, fromB.DropsBadTag + fromB.DropsMalformed + fromB.DropsDeviceError);
        _output.WriteLine($"A: {a.Offloads} reads {a.Sender!.Processed} datagrams out {fromA.PacketsOut}; tun rx {RxPackets(nsA, "h7ta")} packets in {fromA.PacketsIn}");
        _output.WriteLine($"B: {b.Offloads} reads {b.Sender!.Processed} datagrams out {fromB.PacketsOut}; tun rx {RxPackets(nsB, "h7tb")} packets in {fromB.PacketsIn}");
        if (offloadsA == "all")
        {
            // The kernel handed over TSO super-packets (on tap: Ethernet super-frames): fewer reads than datagrams sent.
            Assert.Equal(TunOffloads.All, ((LinuxTunDevice)DeviceOf(a)).Offloads);
            Assert.True(a.Sender!.Processed < fromA.PacketsOut / 2, "A's sender saw no TSO super-packets");
        }

        if (offloadsA == "all" && offloadsB == "all")
        {
            // B merged received segments (on tap: Ethernet frames): fewer device writes than packets received.
            Assert.True(RxPackets(nsB, "h7tb") < fromB.PacketsIn / 4, "B wrote no coalesced super-packets");
        }
    }

    [RequiresRootTheory]
    [InlineData("tun")]
    [InlineData("tap")]
    public async Task OffloadPathsAllocateNothingPerPacket(string deviceType)
    {
        RootEnvironment.Require();
        using var nsA = NetNamespace.Create();
        using var nsB = NetNamespace.Create();
        nsA.Exec("ip", "link", "add", "h7va", "type", "veth", "peer", "name", "h7vb", "netns", nsB.Name);
        nsA.Exec("ip", "addr", "add", "10.200.72.1/24", "dev", "h7va");
        nsA.Exec("ip", "link", "set", "h7va", "up");
        nsB.Exec("ip", "addr", "add", "10.200.72.2/24", "dev", "h7vb");
        nsB.Exec("ip", "link", "set", "h7vb", "up");
        await using var a = StartIn(nsA, $"-i 10.200.72.1 -r 10.200.72.2 -n 10.200.73.1/24 -e left -d h7ta -t {deviceType}", "all");
        await using var b = StartIn(nsB, $"-i 10.200.72.2 -r 10.200.72.1 -n 10.200.73.2/24 -e right -d h7tb -t {deviceType}", "all");
        Assert.Equal(TunOffloads.All, ((LinuxTunDevice)DeviceOf(a)).Offloads);

        // Warm up both directions (JIT tiering, first-use statics), pause for tier-1 code, then measure.
        await TransferAsync(nsA, nsB, IPAddress.Parse("10.200.73.2"));
        await TransferAsync(nsB, nsA, IPAddress.Parse("10.200.73.1"));
        await Task.Delay(500);
        var before = new[] { a.Sender!.AllocatedBytes, a.Receivers[0].AllocatedBytes, b.Sender!.AllocatedBytes, b.Receivers[0].AllocatedBytes };
        await TransferAsync(nsA, nsB, IPAddress.Parse("10.200.73.2"));
        await TransferAsync(nsB, nsA, IPAddress.Parse("10.200.73.1"));
        var after = new[] { a.Sender!.AllocatedBytes, a.Receivers[0].AllocatedBytes, b.Sender!.AllocatedBytes, b.Receivers[0].AllocatedBytes };
        Assert.True(a.Sender!.Processed < a.GetConnections().Single().PacketsOut, $"{deviceType}: A's sender saw no TSO super-packets");
        _output.WriteLine($"{deviceType}: allocated during 2 x {TransferBytes} B: A sender {after[0] - before[0]}, A receiver {after[1] - before[1]}, B sender {after[2] - before[2]}, B receiver {after[3] - before[3]}");
        Assert.Equal(before, after);
    }

    private static IPacketDevice DeviceOf(Tunnel tunnel) => tunnel.Device!;

    private static long RxPackets(NetNamespace ns, string device) =>
        long.Parse(ns.Exec("cat", $"/sys/class/net/{device}/statistics/rx_packets").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static Tunnel StartIn(NetNamespace ns, string arguments, string offloads) => ns.Invoke(() =>
    {
        using var options = AnytunCommandLine.ParseCommandLine($"{arguments} -K {Key} -A {Salt}");
        var tunnel = Tunnel.Create(options);
        tunnel.Offloads = OffloadSettings.Parse(offloads);
        tunnel.StartAsync().GetAwaiter().GetResult();
        return tunnel;
    });

    /// <summary>A burst of equal-sized datagrams (what the UDP coalescer merges) arrives complete and in order.</summary>
    private static void UdpBurst(NetNamespace from, NetNamespace to, IPAddress destination)
    {
        const int Count = 200;
        using var receiver = to.Invoke(() =>
        {
            var socket = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.Bind(new IPEndPoint(destination, 0));
            return socket;
        });
        using var sender = from.Invoke(() => new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
        var target = receiver.LocalEndPoint!;
        var datagram = new byte[700];
        for (var i = 0; i < Count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(datagram, i);
            datagram.AsSpan(4).Fill((byte)i);
            sender.SendTo(datagram, target);
        }

        var buffer = new byte[2048];
        var expected = 0;
        while (expected < Count)
        {
            TestDeadline.WaitReadable(receiver, TimeSpan.FromSeconds(5), $"UDP datagram {expected} of {Count} to {destination} through the tunnel");
            var length = receiver.Receive(buffer);
            Assert.Equal(700, length);
            var index = BinaryPrimitives.ReadInt32BigEndian(buffer);
            Assert.True(index >= expected, $"datagram {index} after {expected - 1}");
            Assert.True(buffer.AsSpan(4, 696).IndexOfAnyExcept((byte)index) < 0, $"datagram {index} content");
            expected = index + 1;
        }
    }

    private static async Task TransferAsync(NetNamespace from, NetNamespace to, IPAddress destination)
    {
        using var timeout = new CancellationTokenSource(TransferTimeout);
        using var listener = to.Invoke(() =>
        {
            var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(destination, 0));
            socket.Listen(1);
            return socket;
        });
        using var client = from.Invoke(() => new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        var accept = listener.AcceptAsync(timeout.Token);
        await client.ConnectAsync(new IPEndPoint(destination, ((IPEndPoint)listener.LocalEndPoint!).Port), timeout.Token);
        using var server = await accept;

        var data = RandomNumberGenerator.GetBytes(TransferBytes);
        var send = Task.Run(
            async () =>
            {
                await client.SendAsync(data, SocketFlags.None, timeout.Token);
                client.Shutdown(SocketShutdown.Send);
            },
            timeout.Token);

        using var received = new MemoryStream(TransferBytes);
        var buffer = new byte[256 * 1024];
        int count;
        while ((count = await server.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, count);
        }

        await send;
        Assert.Equal(TransferBytes, received.Length);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received.ToArray()));
    }
}
