using System.Net;
using System.Net.Sockets;
using System.Text;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Sync;
using Anytun.Engine.Tests.Runtime;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Control;

/// <summary>
/// The control server (anytun-controld, spec §3) on loopback with port 0: what it sends, that it keeps connections
/// open and ignores input, its bounds (client limit, send timeout), file re-reads and stopping.
/// </summary>
public sealed class ControlServerTests : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private readonly string _directory = Directory.CreateTempSubdirectory("anytun-controlserver-").FullName;
    private readonly CapturingLoggerProvider _log = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ServesTheTableFileExactlyAsControldDidAndKeepsTheConnectionOpen()
    {
        // controld/table.txt (666 bytes, 5 lines) was served by the real controld as the 661 bytes of nc-controld.bin.
        var path = WriteTable(ControlPlaneVectors.Bytes("controld/table.txt"));
        await using var server = await StartAsync(ControlTableSource.FromFile(path));

        using var client = await ConnectAsync(server);
        var received = await ReadExactlyAsync(client, 661, "the table from the control server");

        Assert.Equal(ControlPlaneVectors.Bytes("controld/nc-controld.bin"), received);
        await AssertNothingMoreAsync(client);
        Assert.Equal(1, server.ClientCount);
        Assert.Equal(1, server.ClientsServed);
        Assert.Contains(_log.Lines, l => l.EventName == "ControlClientConnected" && l.Message.StartsWith("new sync client connected from 127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServesConnectionDefinitionsAsAnytunConfigWouldWriteThem()
    {
        using var definition = AnytunConfigCommandLine.ParseCommandLine("-m 12 -K 0123456789ABCDEFFEDCBA9876543210 -A 0123456789ABCDDCBA9876543210 -R 192.0.2.0/24 -R 192.168.1.1/32");
        await using var server = await StartAsync(await ControlTableSource.FromDefinitionsAsync(new[] { definition }));

        using var client = await ConnectAsync(server);
        var expected = SyncTableFile.ToStream(ControlPlaneVectors.Bytes("anytun-config/set1-manpage-example.txt"));
        Assert.Equal(expected, await ReadExactlyAsync(client, expected.Length, "the definitions' frames"));
        Assert.Equal(1, server.Table!.ConnectionCount);
        Assert.Equal(2, server.Table.RouteCount);
    }

    [Fact]
    public async Task IgnoresWhatClientsSendAndServesEveryClient()
    {
        var table = ControlPlaneVectors.Bytes("controld/table.txt");
        await using var server = await StartAsync(ControlTableSource.FromFile(WriteTable(table)));

        using var hostile = await ConnectAsync(server);
        await ReadExactlyAsync(hostile, 661, "the table for the first client");
        var garbage = new byte[1 << 20];
        Random.Shared.NextBytes(garbage);
        var writing = hostile.GetStream().WriteAsync(garbage).AsTask();
        TestDeadline.Wait(writing, TestDeadline.Default, "1 MiB of garbage to be taken by the server (it reads and discards)");

        using var second = await ConnectAsync(server);
        Assert.Equal(ControlPlaneVectors.Bytes("controld/nc-controld.bin"), await ReadExactlyAsync(second, 661, "the table for the second client"));
        Assert.Equal(2, server.ClientCount);
    }

    [Fact]
    public async Task RefusesClientsBeyondTheLimitAndFreesSlotsOfClientsThatLeave()
    {
        var path = WriteTable(ControlPlaneVectors.Bytes("controld/table.txt"));
        await using var server = await StartAsync(ControlTableSource.FromFile(path), new ControlServerLimits { MaxClients = 2 });

        var first = await ConnectAsync(server);
        await ReadExactlyAsync(first, 661, "the table for client 1");
        using var second = await ConnectAsync(server);
        await ReadExactlyAsync(second, 661, "the table for client 2");

        using (var third = await ConnectAsync(server))
        {
            var read = await ReadToEndAsync(third, "the server to close the third connection");
            Assert.Empty(read);
        }

        Assert.Equal(1, server.ClientsRefused);
        Assert.Contains(_log.Lines, l => l.EventName == "ControlClientRefused");

        first.Dispose();
        await WaitUntilAsync(() => server.ClientCount == 1, "the server to notice client 1 leaving");
        using var fourth = await ConnectAsync(server);
        Assert.Equal(661, (await ReadExactlyAsync(fourth, 661, "the table for client 4 (the freed slot)")).Length);
    }

    [Fact]
    public async Task DisconnectsAClientThatDoesNotTakeTheTableInTime()
    {
        // About 7 MB of routes: more than loopback's socket buffers hold for a client that never reads.
        var route = SyncTableFile.Encode(new SyncCommand[] { SyncRouteCommand.Create(IPAddress.Parse("10.1.2.0"), 24, 1) });
        var file = new byte[route.Length * 100_000];
        for (var i = 0; i < 100_000; i++)
        {
            route.CopyTo(file, i * route.Length);
        }

        await using var server = await StartAsync(
            ControlTableSource.FromFile(WriteTable(file)), new ControlServerLimits { SendTimeout = TimeSpan.FromSeconds(1) });

        using var stalled = new TcpClient(AddressFamily.InterNetwork) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(server.LocalEndPoints[0]);
        await WaitUntilAsync(() => _log.Lines.Any(l => l.EventName == "ControlClientSendTimeout"), "the send timeout of the stalled client");
        await WaitUntilAsync(() => server.ClientCount == 0, "the stalled client's slot to be freed");
        Assert.Equal(0, server.ClientsServed);
    }

    [Fact]
    public async Task ServesAChangedFileToNewClientsWhileConnectedClientsKeepTheirTable()
    {
        var set1 = ControlPlaneVectors.Bytes("anytun-config/set1-manpage-example.txt");
        var set2 = ControlPlaneVectors.Bytes("anytun-config/set2-passphrase-ipv6-remote.txt");
        var path = WriteTable(set1);
        await using var server = await StartAsync(ControlTableSource.FromFile(path), new ControlServerLimits { FilePollInterval = TimeSpan.FromMilliseconds(100) });

        using var early = await ConnectAsync(server);
        await ReadExactlyAsync(early, SyncTableFile.ToStream(set1).Length, "the first table");

        await File.WriteAllBytesAsync(path, set2);
        await WaitUntilAsync(() => server.TableVersion == 2, "the server to re-read the changed file");

        using var late = await ConnectAsync(server);
        var expected = SyncTableFile.ToStream(set2);
        Assert.Equal(expected, await ReadExactlyAsync(late, expected.Length, "the changed table"));
        await AssertNothingMoreAsync(early);
        Assert.Contains(_log.Lines, l => l.EventName == "ControlTableReloaded");
    }

    [Fact]
    public async Task KeepsServingThePreviousTableWhenTheFileDisappears()
    {
        var path = WriteTable(ControlPlaneVectors.Bytes("controld/table.txt"));
        await using var server = await StartAsync(ControlTableSource.FromFile(path), new ControlServerLimits { FilePollInterval = TimeSpan.FromMilliseconds(100) });
        File.Delete(path);
        await Task.Delay(400);

        using var client = await ConnectAsync(server);
        Assert.Equal(661, (await ReadExactlyAsync(client, 661, "the previous table")).Length);
        Assert.Equal(1, server.TableVersion);
    }

    [Fact]
    public async Task WarnsAboutATableThatClientsCannotReadButServesItUnchanged()
    {
        var path = WriteTable(Encoding.ASCII.GetBytes("# comment line\n"));
        await using var server = await StartAsync(ControlTableSource.FromFile(path));

        using var client = await ConnectAsync(server);
        Assert.Equal("# comment line"u8.ToArray(), await ReadExactlyAsync(client, 14, "the bytes of the file"));
        Assert.Contains(_log.Lines, l => l.EventName == "ControlTableFormatWarning");
    }

    [Fact]
    public async Task StopClosesEveryConnectionWithinTheDeadline()
    {
        var server = await StartAsync(ControlTableSource.FromFile(WriteTable(ControlPlaneVectors.Bytes("controld/table.txt"))));
        var clients = new List<TcpClient>();
        for (var i = 0; i < 5; i++)
        {
            clients.Add(await ConnectAsync(server));
            await ReadExactlyAsync(clients[^1], 661, $"the table for client {i}");
        }

        TestDeadline.Wait(server.StopAsync(), TimeSpan.FromSeconds(10), "the control server to stop");

        Assert.Equal(ControlServerState.Stopped, server.State);
        Assert.Null(server.Table);
        foreach (var client in clients)
        {
            Assert.Empty(await ReadToEndAsync(client, "the connection to be closed by the stop"));
            client.Dispose();
        }

        Assert.Equal(0, server.ClientCount);
        TestDeadline.Wait(server.StopAsync(), TimeSpan.FromSeconds(1), "a second stop (idempotent)");
    }

    [Fact]
    public async Task ListensOnIPv6()
    {
        var server = new ControlServer("::1", 0, ControlTableSource.FromFile(WriteTable(ControlPlaneVectors.Bytes("controld/table.txt"))));
        try
        {
            await server.StartAsync();
        }
        catch (AnytunException ex) when (ex.Code == AnytunErrorCode.SocketFailed && !Socket.OSSupportsIPv6)
        {
            return;
        }

        await using (server)
        {
            Assert.Equal(AddressFamily.InterNetworkV6, server.LocalEndPoints[0].AddressFamily);
            using var client = new TcpClient(AddressFamily.InterNetworkV6);
            await client.ConnectAsync(server.LocalEndPoints[0]);
            Assert.Equal(661, (await ReadExactlyAsync(client, 661, "the table over IPv6")).Length);
        }
    }

    [Fact]
    public async Task APortInUseIsAddressInUse()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var server = new ControlServer("127.0.0.1", port, ControlTableSource.FromFile(WriteTable(Array.Empty<byte>())));

        var error = await Assert.ThrowsAsync<AnytunException>(() => server.StartAsync());

        Assert.Equal(AnytunErrorCode.AddressInUse, error.Code);
        Assert.Equal(ControlServerState.Stopped, server.State);
    }

    [Fact]
    public async Task AMissingFileIsRefusedAtStartAsControldDoes()
    {
        var server = new ControlServer("127.0.0.1", 0, ControlTableSource.FromFile(Path.Combine(_directory, "missing")));

        var error = await Assert.ThrowsAsync<AnytunException>(() => server.StartAsync());

        Assert.Equal(AnytunErrorCode.InvalidOption, error.Code);
        Assert.Contains("unable to open file", error.Message, StringComparison.Ordinal);
    }

    private static async Task<TcpClient> ConnectAsync(ControlServer server)
    {
        var client = new TcpClient(AddressFamily.InterNetwork);
        var connect = client.ConnectAsync(server.LocalEndPoints[0]);
        await connect.WaitAsync(TestDeadline.Default);
        return client;
    }

    private static async Task<byte[]> ReadExactlyAsync(TcpClient client, int count, string what)
    {
        var buffer = new byte[count];
        using var deadline = new CancellationTokenSource(TestDeadline.Default);
        try
        {
            await client.GetStream().ReadExactlyAsync(buffer, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no {count} bytes within {TestDeadline.Default.TotalSeconds} s: {what}");
        }

        return buffer;
    }

    private static async Task<byte[]> ReadToEndAsync(TcpClient client, string what)
    {
        using var deadline = new CancellationTokenSource(TestDeadline.Default);
        var result = new MemoryStream();
        try
        {
            await client.GetStream().CopyToAsync(result, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the connection was not closed within {TestDeadline.Default.TotalSeconds} s: {what}");
        }
        catch (IOException)
        {
            // A reset is a close too.
        }

        return result.ToArray();
    }

    /// <summary>Nothing more arrives and the connection is still open (controld sends the table once).</summary>
    private static async Task AssertNothingMoreAsync(TcpClient client)
    {
        using var quiet = new CancellationTokenSource(Quiet);
        var buffer = new byte[1];
        try
        {
            var read = await client.GetStream().ReadAsync(buffer, quiet.Token);
            Assert.Fail(read == 0 ? "the server closed the connection; controld keeps it open" : "the server sent more than the table");
        }
        catch (OperationCanceledException)
        {
            // Expected: silence.
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TestDeadline.Default;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {TestDeadline.Default.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    private async Task<ControlServer> StartAsync(ControlTableSource source, ControlServerLimits? limits = null)
    {
        var server = new ControlServer("127.0.0.1", 0, source, limits, _log);
        await server.StartAsync().WaitAsync(TestDeadline.Default);
        return server;
    }

    private string WriteTable(byte[] content)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, content);
        return path;
    }
}
