using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Anytun.Engine.Runtime;
using Microsoft.Extensions.Logging;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>
/// Drop summaries tell the truth (every drop is in some line, the pending count is written on a timer and at stop),
/// and a connection that sees bad tags gets one warning that says what it likely means.
/// </summary>
public sealed partial class DropLogTests
{
    private static readonly TimeSpan FloodTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AFloodOfBadDatagramsIsReportedInFull()
    {
        const int Total = 100_000;
        var logs = new CapturingLoggerProvider();
        var (tunnel, port) = await StartListeningTunnelAsync(logs);
        await using (tunnel)
        {
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var target = new IPEndPoint(IPAddress.Loopback, port);
            var datagram = BadDatagram();
            var sent = 0;
            while (sent < Total)
            {
                // In batches, waiting for the receiver, so the kernel never drops what the tunnel should count.
                var batch = Math.Min(2000, Total - sent);
                for (var i = 0; i < batch; i++)
                {
                    sender.SendTo(datagram, target);
                }

                sent += batch;
                var expected = sent;
                await WaitUntilAsync(() => BadTagDrops(tunnel) >= expected, $"{expected} BadTag drops counted", FloodTimeout);
            }

            await tunnel.StopAsync();
        }

        Assert.Equal(Total, BadTagDrops(tunnel));
        Assert.Equal(Total, LoggedDrops(logs, "BadTag"));
    }

    [Fact]
    public async Task AnIdleTunnelsDropTimerSleepsAndTheNextDropWakesIt()
    {
        var logs = new CapturingLoggerProvider();
        var (tunnel, port) = await StartListeningTunnelAsync(logs);
        await using (tunnel)
        {
            // Nothing dropped yet: after its first tick the timer stops (no periodic wake-up of an idle tunnel).
            await WaitUntilAsync(() => tunnel.DropLog?.IsDormant == true, "the drop timer to go to sleep", TimeSpan.FromSeconds(5));

            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sender.SendTo(BadDatagram(), new IPEndPoint(IPAddress.Loopback, port));
            await WaitUntilAsync(() => LoggedDrops(logs, "BadTag") == 1, "the drop that woke the timer in the log", TimeSpan.FromSeconds(5));

            // Logged and nothing else pending (the bad-tag warning was due at once): it sleeps again.
            await WaitUntilAsync(() => tunnel.DropLog?.IsDormant == true, "the drop timer to sleep again", TimeSpan.FromSeconds(5));
            await tunnel.StopAsync();
        }

        Assert.Equal(1, LoggedDrops(logs, "BadTag"));
    }

    [Fact]
    public async Task TheFirstDropIsLoggedSoonAndStopWritesWhatIsPending()
    {
        var logs = new CapturingLoggerProvider();
        var (tunnel, port) = await StartListeningTunnelAsync(logs);
        await using (tunnel)
        {
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var target = new IPEndPoint(IPAddress.Loopback, port);
            sender.SendTo(BadDatagram(), target);
            await WaitUntilAsync(() => LoggedDrops(logs, "BadTag") == 1, "the first drop in the log", TimeSpan.FromSeconds(5));

            for (var i = 0; i < 5; i++)
            {
                sender.SendTo(BadDatagram(), target);
            }

            await WaitUntilAsync(() => BadTagDrops(tunnel) == 6, "6 BadTag drops counted");
            Assert.Equal(1, LoggedDrops(logs, "BadTag"));
            await tunnel.StopAsync();
        }

        Assert.Equal(6, LoggedDrops(logs, "BadTag"));
        Assert.Contains(logs.Lines, line => line.EventName == "PacketsDropped" && line.Message.Contains("dropped 5 packets (BadTag) in the last", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, line => line.EventName == "PacketsDropped" && line.Message.Contains("dropped 1 packet (BadTag)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadTagsOnAConnectionRaiseOneWarningNamingIt()
    {
        var logs = new CapturingLoggerProvider();
        var (tunnel, port) = await StartListeningTunnelAsync(logs);
        var remotePort = tunnel.GetConnections()[0].RemoteEndPoint!.Port;
        await using (tunnel)
        {
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var target = new IPEndPoint(IPAddress.Loopback, port);
            sender.SendTo(BadDatagram(), target);
            await WaitUntilAsync(() => Warnings(logs).Count == 1, "a bad-tag warning", TimeSpan.FromSeconds(5));

            // More bad tags within the minute: counted and summarised, not warned again.
            for (var i = 0; i < 20; i++)
            {
                sender.SendTo(BadDatagram(), target);
            }

            await WaitUntilAsync(() => BadTagDrops(tunnel) == 21, "21 BadTag drops counted");
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }

        var warning = Assert.Single(Warnings(logs));
        Assert.Contains("connection 0", warning, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{remotePort}", warning, StringComparison.Ordinal);
        Assert.Contains("wrong passphrase/key or role on the peer?", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadTagsBeforeAnyPeerIsLearnedRaiseAWarningForTheTunnel()
    {
        var logs = new CapturingLoggerProvider();
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -K {Key} -A {Salt}");
        await using var tunnel = Tunnel.Create(options, logs, new ChannelPacketDevice());
        await tunnel.StartAsync();
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.SendTo(BadDatagram(), new IPEndPoint(IPAddress.Loopback, tunnel.LocalEndPoints[0].Port));
        await WaitUntilAsync(() => Warnings(logs).Count == 1, "a bad-tag warning", TimeSpan.FromSeconds(5));
        Assert.Contains("before any peer was learned", Warnings(logs)[0], StringComparison.Ordinal);
    }

    /// <summary>A tunnel with a configured (never answering) remote, so bad datagrams land on connection 0.</summary>
    private static async Task<(Tunnel Tunnel, int Port)> StartListeningTunnelAsync(ILoggerFactory logs)
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {FreeUdpPort()} -K {Key} -A {Salt}");
        var tunnel = Tunnel.Create(options, logs, new ChannelPacketDevice());
        await tunnel.StartAsync();
        return (tunnel, tunnel.LocalEndPoints[0].Port);
    }

    /// <summary>An SATP-shaped datagram for mux 0 whose tag cannot verify.</summary>
    private static byte[] BadDatagram()
    {
        var datagram = new byte[60];
        for (var i = 8; i < datagram.Length; i++)
        {
            datagram[i] = (byte)(i * 7);
        }

        return datagram;
    }

    private static long BadTagDrops(Tunnel tunnel)
    {
        var total = tunnel.GetTunnelDrops()[Anytun.Engine.Protocol.DropReason.BadTag];
        foreach (var connection in tunnel.GetConnections())
        {
            total += connection.DropsBadTag;
        }

        return total;
    }

    /// <summary>The sum of the counts in every PacketsDropped line of <paramref name="reason"/>.</summary>
    private static long LoggedDrops(CapturingLoggerProvider logs, string reason)
    {
        long total = 0;
        foreach (var line in logs.Lines)
        {
            if (line.EventName != "PacketsDropped")
            {
                continue;
            }

            var match = DroppedCount().Match(line.Message);
            if (match.Success && match.Groups["reason"].Value == reason)
            {
                total += long.Parse(match.Groups["count"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    private static List<string> Warnings(CapturingLoggerProvider logs) =>
        logs.Lines.Where(line => line.Level == LogLevel.Warning && line.EventName.StartsWith("AuthenticationFailing", StringComparison.Ordinal)).Select(line => line.Message).ToList();

    private static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? WaitTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    [GeneratedRegex(@"dropped (?<count>[\d,]+) packets? \((?<reason>\w+)\)")]
    private static partial Regex DroppedCount();
}
