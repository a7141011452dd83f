using System.Diagnostics;
using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Crypto;
using Anytun.Engine.Routing;
using Anytun.Engine.Runtime;
using Xunit.Abstractions;
using static Anytun.Engine.Tests.Runtime.MultiConnectionSupport;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>
/// 1,000 connections with routes in one tunnel, changed from another thread while traffic flows: no crash, and not one
/// packet lost on the connection nobody touches. Packets to the churned connections are sent meanwhile too, so their
/// keys are in use while they are replaced and retired (a key zeroed too early would fault the sender).
/// </summary>
public sealed class ConnectionStormTests
{
    private const int Connections = 1000;
    private const int RoundTrips = 1500;
    private const int MinimumChanges = 300;
    private static readonly TimeSpan StormDeadline = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _output;

    public ConnectionStormTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task AddRemoveStormLeavesAnUntouchedConnectionLossless()
    {
        var clientPort = FreeUdpPort();
        using var sink = RawSocket();
        var sinkPort = ((IPEndPoint)sink.LocalEndPoint!).Port;
        await using var server = await StartExactAsync($"-i 127.0.0.1 -p 0 -K {Key} -A {Salt}");
        using (var configuration = new TunnelConfiguration())
        {
            configuration.Connections.Add(ClientSpec(1, clientPort, "untouched", Role.Left, "10.20.0.1/32"));
            for (var mux = 2; mux <= Connections; mux++)
            {
                configuration.Connections.Add(ChurnSpec(mux, sinkPort, 0));
            }

            server.Tunnel.Control.Apply(configuration, ApplyMode.Replace);
        }

        Assert.Equal(Connections, server.Tunnel.GetConnections().Count);
        await using var client = await StartExactAsync($"-i 127.0.0.1 -p {clientPort} -r 127.0.0.1 -o {server.Port} -m 1 -E untouched -e right");

        var stop = new CancellationTokenSource();
        long operations = 0;
        var storm = Task.Run(() =>
        {
            var random = new Random(9);
            var control = server.Tunnel.Control;
            while (!stop.IsCancellationRequested)
            {
                var mux = (ushort)random.Next(2, Connections + 1);
                switch (random.Next(4))
                {
                    case 0:
                        control.RemoveConnection(mux);
                        using (var spec = ChurnSpec(mux, sinkPort, random.Next()))
                        {
                            control.AddConnection(spec);
                        }

                        break;
                    case 1:
                        using (var rekey = new ConnectionSpec(mux) { Passphrase = SecretBytes.FromUtf8($"rekey {random.Next()}") })
                        {
                            control.SetConnection(rekey);
                        }

                        break;
                    case 2:
                        var extra = IPPrefix.Parse($"10.30.{mux / 256}.{mux % 256}/32");
                        control.AddRoute(extra, mux);
                        control.RemoveRoute(extra);
                        break;
                    default:
                        using (var batch = new TunnelConfiguration())
                        {
                            for (var i = 0; i < 10; i++)
                            {
                                var m = (ushort)random.Next(2, Connections + 1);
                                if (batch.Connections.All(c => c.Mux != m))
                                {
                                    batch.Connections.Add(ChurnSpec(m, sinkPort, random.Next()));
                                }
                            }

                            control.Apply(batch, ApplyMode.Merge);
                        }

                        break;
                }

                Interlocked.Increment(ref operations);
            }
        });

        var watch = Stopwatch.StartNew();
        var random = new Random(3);
        var roundTrips = 0;
        for (var i = 0; i < RoundTrips || Interlocked.Read(ref operations) < MinimumChanges; i++, roundTrips++)
        {
            Assert.True(watch.Elapsed < StormDeadline, $"the storm made only {Interlocked.Read(ref operations)} changes in {StormDeadline}");
            // Traffic for churned connections (whose keys are being replaced right now) ...
            var churned = random.Next(2, Connections + 1);
            server.Device.Inject(Ipv4To($"10.21.{churned / 256}.{churned % 256}", 80, (byte)i));

            // ... and a lossless round trip on the untouched one.
            var request = Ipv4To("10.20.0.1", 100, (byte)i);
            Assert.True(server.Device.Inject(request));
            Assert.Equal(request, TakeWritten(client.Device));
            var reply = Ipv4Packet(90, (byte)i);
            Assert.True(client.Device.Inject(reply));
            Assert.Equal(reply, TakeWritten(server.Device));
            Assert.False(storm.IsCompleted, "the storm thread ended early");
        }

        stop.Cancel();
        await storm.WaitAsync(WaitTimeout);
        _output.WriteLine($"{roundTrips} round trips in {watch.ElapsedMilliseconds} ms during {Interlocked.Read(ref operations)} table changes");

        Assert.Equal(TunnelState.Running, server.Tunnel.State);
        var untouched = server.Tunnel.Control.GetConnection(1)!;
        Assert.Equal(roundTrips, untouched.PacketsOut);
        Assert.Equal(roundTrips, untouched.PacketsIn);
        Assert.Equal(0, untouched.Drops.Total);
        Assert.Equal((uint)roundTrips, untouched.NextSequence);

        // Reclamation keeps up: once the threads pass their quiescent points every retired key is zeroed.
        await WaitUntilAsync(() => server.Tunnel.Control.Reclaimer.PendingCount == 0, "every retired key to be reclaimed");
    }

    private static ConnectionSpec ChurnSpec(int mux, int port, int generation) => new((ushort)mux)
    {
        RemoteHost = "127.0.0.1",
        RemotePort = port,
        Passphrase = SecretBytes.FromUtf8($"churn {mux} {generation}"),
        Routes = [IPPrefix.Parse($"10.21.{mux / 256}.{mux % 256}/32")],
    };
}
