using Anytun.Engine.Control;
using Anytun.Engine.Routing;
using Anytun.Engine.Runtime;
using Xunit.Abstractions;
using static Anytun.Engine.Tests.Runtime.MultiConnectionSupport;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>
/// The packet loops must allocate nothing per packet in steady state. Each loop publishes
/// GC.GetAllocatedBytesForCurrentThread() after every packet; the difference over a burst must be 0 (one of up to
/// three bursts, see <see cref="MeasureSteadyStateAsync"/>).
/// </summary>
public sealed class TunnelAllocationTests
{
    private const int Burst = 4000;
    private const int MeasuredWindows = 3;
    private readonly ITestOutputHelper _output;

    public TunnelAllocationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    /// <summary>Every idle mode: in the single-thread modes a receiver thread also reads and sends (its count covers both),
    /// and the bursts with pauses between them switch the modes back and forth during warm-up and measurement.</summary>
    [Theory]
    [InlineData("", "warm")]
    [InlineData("", "single")]
    [InlineData("", "pipeline")]
    [InlineData("-w 64", "warm")]
    [InlineData("-c null -a null", "warm")]
    public async Task SendAndReceiveLoopsDoNotAllocatePerPacket(string extra, string idleMode)
    {
        var portA = FreeUdpPort();
        await using var b = await StartAsync($"-i 127.0.0.1 -p 0 -e right {extra}", idleMode: IdleModes.Parse(idleMode));
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {b.Port} -e left {extra}", idleMode: IdleModes.Parse(idleMode));
        var sender = a.Tunnel.Sender!;
        var receiver = b.Tunnel.Receivers[0];
        var packet = Ipv4Packet(1200, 3);

        // Warm up: learning the remote, first-use statics and JIT tiering may allocate once. Tier-1 code is installed
        // in the background ~100 ms after the calls, so warm up twice with a pause (steady state is what counts).
        await PumpAsync(a, b, packet, 2000);
        await Task.Delay(400);
        await PumpAsync(a, b, packet, 2000);
        var receivedBefore = receiver.Processed;
        var windows = await MeasureSteadyStateAsync(
            () => [sender.AllocatedBytes, receiver.AllocatedBytes, a.Tunnel.Receivers[0].AllocatedBytes],
            () => PumpAsync(a, b, packet, Burst));
        var received = receiver.Processed - receivedBefore;
        _output.WriteLine($"{idleMode}: sent {Burst} per window, received {received}: sender/receiver/sending side's receiver allocated {Describe(windows)}");

        Assert.True(received > Burst / 2, $"too few datagrams arrived ({received}) to measure");
        AssertSteadyStateAllocatesNothing(windows);
    }

    /// <summary>
    /// A tunnel with 1,000 connections and routes (v4 host routes, a /16, v6 prefixes): the sender's route lookup and
    /// per-connection keys, the receiver's mux lookup, all allocation-free, with batching/offloads on and off.
    /// </summary>
    [Theory]
    [InlineData("all", "warm")]
    [InlineData("none", "single")]
    [InlineData("all", "pipeline")]
    public async Task ManyConnectionsAndRoutesAllocateNothingPerPacket(string offloads, string idleMode)
    {
        const int Connections = 1000;
        const ushort Peer = 500;
        var settings = OffloadSettings.Parse(offloads);
        var portB = FreeUdpPort();
        using var sink = RawSocket();
        var sinkPort = ((System.Net.IPEndPoint)sink.LocalEndPoint!).Port;
        await using var a = await StartExactAsync($"-i 127.0.0.1 -p 0 -e left -K {Key} -A {Salt}", offloads: settings, idleMode: IdleModes.Parse(idleMode));
        using (var configuration = new TunnelConfiguration())
        {
            for (var mux = 1; mux <= Connections; mux++)
            {
                configuration.Connections.Add(new ConnectionSpec((ushort)mux)
                {
                    RemoteHost = "127.0.0.1",
                    RemotePort = mux == Peer ? portB : sinkPort,
                    Routes = [IPPrefix.Parse($"10.1.{mux / 256}.{mux % 256}/32"), IPPrefix.Parse($"fd01:{mux:x}::/64")],
                });
            }

            configuration.Routes.Add((IPPrefix.Parse("10.2.0.0/16"), 1));
            a.Tunnel.Control.Apply(configuration, ApplyMode.Replace);
        }

        Assert.Equal(2 * Connections + 1, a.Tunnel.Control.GetRoutes().Count);
        Assert.True(a.Tunnel.Control.RoutingEnabled);
        await using var b = await StartExactAsync($"-i 127.0.0.1 -p {portB} -r 127.0.0.1 -o {a.Port} -m {Peer} -e right -K {Key} -A {Salt}", offloads: settings, idleMode: IdleModes.Parse(idleMode));
        var toPeer = Ipv4To($"10.1.{Peer / 256}.{Peer % 256}", 1200, 3);
        var toServer = Ipv4Packet(1200, 4);

        await PumpAsync(a, b, toPeer, 2000);
        await PumpAsync(b, a, toServer, 2000);
        await Task.Delay(400);
        await PumpAsync(a, b, toPeer, 2000);
        await PumpAsync(b, a, toServer, 2000);
        var windows = await MeasureSteadyStateAsync(
            () => [a.Tunnel.Sender!.AllocatedBytes, a.Tunnel.Receivers[0].AllocatedBytes, b.Tunnel.Sender!.AllocatedBytes, b.Tunnel.Receivers[0].AllocatedBytes],
            async () =>
            {
                await PumpAsync(a, b, toPeer, Burst);
                await PumpAsync(b, a, toServer, Burst);
            });
        _output.WriteLine($"offloads {offloads}: A sender/A receiver/B sender/B receiver allocated {Describe(windows)}");
        AssertSteadyStateAllocatesNothing(windows);
        var peer = a.Tunnel.Control.GetConnection(Peer)!;
        Assert.True(peer.PacketsOut >= Burst && peer.PacketsIn > Burst / 2, $"traffic did not flow through connection {Peer}: out {peer.PacketsOut}, in {peer.PacketsIn}");
    }

    /// <summary>
    /// Measures the loops' allocations over bursts until one burst allocates nothing (at most
    /// <see cref="MeasuredWindows"/>). A one-off allocation in the runtime (tier-up or on-stack replacement of a loop
    /// method, delayed on a loaded machine) can land in any burst; a per-packet allocation lands in every one, so a
    /// clean burst proves the loops allocate nothing per packet.
    /// </summary>
    private static async Task<List<long[]>> MeasureSteadyStateAsync(Func<long[]> read, Func<Task> burst)
    {
        var windows = new List<long[]>();
        for (var window = 0; window < MeasuredWindows; window++)
        {
            var before = read();
            await burst();
            var after = read();
            var delta = after.Select((value, i) => value - before[i]).ToArray();
            windows.Add(delta);
            if (delta.All(static bytes => bytes == 0))
            {
                break;
            }
        }

        return windows;
    }

    private static void AssertSteadyStateAllocatesNothing(List<long[]> windows) =>
        Assert.True(
            windows[^1].All(static bytes => bytes == 0),
            $"every one of {windows.Count} bursts of {Burst} packets allocated on a packet loop: {Describe(windows)}");

    private static string Describe(List<long[]> windows) =>
        string.Join("; then ", windows.Select(static delta => string.Join("/", delta.Select(static bytes => $"{bytes} B"))));

    private static async Task PumpAsync(Side a, Side b, byte[] packet, int count)
    {
        var sender = a.Tunnel.Sender!;
        var target = sender.Processed + count;
        for (var sent = 0; sent < count;)
        {
            if (a.Device.Inject(packet))
            {
                sent++;
            }
            else
            {
                b.Device.DrainWritten();
                await Task.Delay(1);
            }
        }

        await WaitUntilAsync(() => sender.Processed >= target, "the sender to read every packet");

        // Let the receiver finish and go idle (blocked in recvfrom).
        var receiver = b.Tunnel.Receivers[0];
        long last;
        do
        {
            last = receiver.Processed;
            b.Device.DrainWritten();
            await Task.Delay(100);
        }
        while (receiver.Processed != last);
        b.Device.DrainWritten();
    }
}
