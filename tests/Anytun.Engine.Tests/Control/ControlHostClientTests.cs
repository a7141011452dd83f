using System.Text;
using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Anytun.Engine.Runtime;
using Anytun.Engine.Sync;
using Anytun.Engine.Tests.Runtime;
using Anytun.Engine.Tests.Support;
using Microsoft.Extensions.Logging;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Control;

/// <summary>-X: a started tunnel fetching its tables from a controld stand-in on 127.0.0.1, bad input, reconnects, stop.</summary>
public sealed class ControlHostClientTests
{
    private static readonly TimeSpan FastRetry = TimeSpan.FromMilliseconds(200);

    private static byte[] Table => ControlPlaneVectors.Bytes("controld/nc-controld.bin");

    public static TheoryData<string, string> BadInputs() => new()
    {
        // name, what the error names
        { "truncated", "stream ended" },
        { "wrong-length", "is not a decimal number" },
        { "garbage", "offset" },
        { "huge-length", "stream ended" },
        { "bad-address", "offset" },
        { "bad-signature", "offset" },
    };

    [Fact]
    public async Task TheTunnelFetchesItsTablesAtStartAndLogsWhatChanged()
    {
        await using var server = new SyncServerFixture(Table);
        var logs = new CapturingLoggerProvider();
        await using var tunnel = await StartAsync(server.Port, logs);

        await WaitUntilAsync(() => tunnel.GetConnections().Count == 2 && tunnel.Control.GetRoutes().Count == 3, "the controld table (2 connections, 3 routes)");
        Assert.True(tunnel.Control.RoutingEnabled);
        await WaitUntilAsync(() => Logged(logs, "ControlHostApplied", "5 command(s) applied"), "the applied summary in the log");
        Assert.True(Logged(logs, "ControlHostConnected", $"sync: connected to 127.0.0.1:{server.Port}"));
        Assert.True(Logged(logs, "RouteAdded", "route 10.200.0.2/32 -> 1 (ControlHost)"));
        Assert.True(Logged(logs, "ConnectionAddedUnknownRemote", "added connection 1 (ControlHost)"));
        Assert.Equal(1, tunnel.ControlHost!.Sessions);
    }

    [Fact]
    public async Task AClosedConnectionIsRetriedAndTheNewTableMerged()
    {
        await using var server = new SyncServerFixture(Table, closeAfterDefault: false);
        server.Enqueue(Table, close: true);
        var logs = new CapturingLoggerProvider();
        await using var tunnel = await StartAsync(server.Port, logs);
        await WaitUntilAsync(() => server.Accepted >= 2 && tunnel.ControlHost!.Sessions >= 2, "the reconnect after controld closed the connection");
        Assert.True(Logged(logs, "ControlHostLost", "input stream error"));
        Assert.Equal(2, tunnel.GetConnections().Count);
        Assert.Equal(3, tunnel.Control.GetRoutes().Count);
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInputDropsTheConnectionNamesTheOffsetAndIsRetried(string name, string mentions)
    {
        var first = SyncStreamReader.ReadAll(Table)[0];
        var good = SyncWriter.EncodeFrame(first.Command!);
        first.Dispose();
        await using var server = new SyncServerFixture(Table);
        server.Enqueue(Concat(good, Bad(name)), close: name is "truncated" or "huge-length");
        var logs = new CapturingLoggerProvider();
        await using var tunnel = await StartAsync(server.Port, logs);

        await WaitUntilAsync(() => Logged(logs, "ControlHostBadData", mentions), $"the {name} error in the log");
        Assert.True(Logged(logs, "ControlHostBadData", "byte offset"), "the error names the byte offset");
        await WaitUntilAsync(() => tunnel.GetConnections().Count == 2 && tunnel.Control.GetRoutes().Count == 3, "the good table after the reconnect");
        Assert.True(tunnel.ControlHost!.Sessions >= 2);
        Assert.Equal(TunnelState.Running, tunnel.State);
        Assert.DoesNotContain(logs.Lines, l => l.EventName == "ControlHostClientFailed");
    }

    [Fact]
    public async Task AnUnknownCommandIsSkippedAndTheConnectionStays()
    {
        var unknown = Encoding.ASCII.GetBytes("00040 22 serialization::archive 18 0 0 5 hello");
        await using var server = new SyncServerFixture(Concat(unknown, Table));
        var logs = new CapturingLoggerProvider();
        await using var tunnel = await StartAsync(server.Port, logs);
        await WaitUntilAsync(() => tunnel.GetConnections().Count == 2 && tunnel.Control.GetRoutes().Count == 3, "the table after the unknown command");
        Assert.Equal(1, tunnel.ControlHost!.Sessions);
        Assert.True(Logged(logs, "ControlHostIgnoredFrame", "unknown command"));
    }

    [Fact]
    public async Task AnUnreachableControlHostIsLoggedOnceAndRetried()
    {
        var port = FreeTcpPort();
        var logs = new CapturingLoggerProvider();
        await using var tunnel = await StartAsync(port, logs);
        await WaitUntilAsync(() => tunnel.ControlHost!.Failures >= 3, "three failed connect attempts");
        Assert.Single(logs.Lines, l => l.EventName == "ControlHostUnreachable");

        // A controld that comes up later is found at the next attempt.
        await using var server = new SyncServerFixture(Table, port);
        await WaitUntilAsync(() => tunnel.GetConnections().Count == 2, "the table once the control host listens");
    }

    [Fact]
    public async Task StoppingTheTunnelClosesAnOpenControlConnectionQuickly()
    {
        await using var server = new SyncServerFixture(Table);
        var tunnel = await StartAsync(server.Port, new CapturingLoggerProvider());
        await WaitUntilAsync(() => tunnel.GetConnections().Count == 2, "the table");
        var stop = tunnel.StopAsync();
        TestDeadline.Wait(stop, TimeSpan.FromSeconds(5), "the tunnel to stop with an open control connection");
        Assert.Equal(TunnelState.Stopped, tunnel.State);
    }

    [Fact]
    public async Task ControlHostNeedsNoKeysOfItsOwn()
    {
        using var options = AnytunCommandLine.ParseCommandLine("-i 127.0.0.1 -p 0 -X 127.0.0.1:2323");
        Assert.Empty(options.Validate());
        options.EnsureSupported();
        await using var tunnel = Tunnel.Create(options, device: new ChannelPacketDevice("tunx"));
        Assert.True(tunnel.Control.RoutingEnabled);
    }

    [Theory]
    [InlineData("-X [::1]:2424", "::1", 2424)]
    [InlineData("-X ctl.example", "ctl.example", 2323)]
    [InlineData("-X 2001:db8::1", "2001:db8::1", 2323)]
    public void TheControlHostTakesAnytunsPeerSyntax(string option, string host, int port)
    {
        using var options = AnytunCommandLine.ParseCommandLine("-i 127.0.0.1 " + option);
        options.Validate();
        var address = SyncPeerAddress.Parse(options.ControlHost!, OptionNames.ControlHost);
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
    }

    [Fact]
    public void ABadControlHostIsAnOptionError()
    {
        using var options = AnytunCommandLine.ParseCommandLine("-i 127.0.0.1 -X host:99999");
        var error = Assert.Throws<AnytunException>(() => options.Validate());
        Assert.Equal(AnytunErrorCode.InvalidOption, error.Code);
        Assert.Equal(OptionNames.ControlHost, error.Target);
    }

    internal static byte[] Bad(string name) => name switch
    {
        "truncated" => Encoding.ASCII.GetBytes("00205 22 serialization::archive 18 0 0 10 connection 0 0 1"),
        "wrong-length" => Encoding.ASCII.GetBytes("abcde 22 serialization::archive 18 0 0 5 route"),
        "garbage" => Encoding.ASCII.GetBytes("00010 \u0001\u0002garbage!"),
        "huge-length" => Encoding.ASCII.GetBytes("99999 22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.0 12"),
        "bad-address" => Encoding.ASCII.GetBytes("00072 22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.x 12"),
        "bad-signature" => Encoding.ASCII.GetBytes("00028 21 serialization::archivX 18"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static async Task<Tunnel> StartAsync(int port, ILoggerFactory logs)
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -X 127.0.0.1:{port}");
        var tunnel = Tunnel.Create(options, logs, new ChannelPacketDevice("tunx"));
        tunnel.ControlHostRetryInterval = FastRetry;
        await tunnel.StartAsync();
        return tunnel;
    }

    private static bool Logged(CapturingLoggerProvider logs, string eventName, string text) =>
        logs.Lines.Any(l => l.EventName == eventName && l.Message.Contains(text, StringComparison.Ordinal));

    private static int FreeTcpPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static byte[] Concat(byte[] a, byte[] b) => a.Concat(b).ToArray();
}
