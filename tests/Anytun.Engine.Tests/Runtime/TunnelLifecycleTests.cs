using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Anytun.Engine.Runtime;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

public sealed class TunnelLifecycleTests
{
    [Fact]
    public async Task StopIsCleanAndIdempotent()
    {
        var side = await StartAsync("-i 127.0.0.1 -p 0 -e left");
        var tunnel = side.Tunnel;
        var transitions = new List<(TunnelState From, TunnelState To)>();
        tunnel.StateChanged += (_, e) =>
        {
            lock (transitions)
            {
                transitions.Add((e.PreviousState, e.NewState));
            }
        };
        var threads = tunnel.Threads;
        Assert.Equal(2, threads.Count);
        Assert.All(threads, thread => Assert.True(thread.IsAlive));
        Assert.All(threads, thread => Assert.True(thread.IsBackground));
        Assert.StartsWith("anytun ", threads[0].Name);
        var port = side.Port;

        await tunnel.StopAsync();
        Assert.Equal(TunnelState.Stopped, tunnel.State);
        Assert.Null(tunnel.Fault);
        Assert.All(threads, thread => Assert.False(thread.IsAlive));
        await tunnel.StopAsync();
        await tunnel.DisposeAsync();
        Assert.Equal(TunnelState.Stopped, tunnel.State);
        Assert.Equal(new[] { (TunnelState.Running, TunnelState.Stopping), (TunnelState.Stopping, TunnelState.Stopped) }, transitions);

        // The port is free again and the device is closed.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        Assert.False(side.Device.Inject(Ipv4Packet()));
    }

    [Fact]
    public async Task ConcurrentStopCallsAllComplete()
    {
        var side = await StartAsync("-i 127.0.0.1 -p 0 -e left");
        var stops = Enumerable.Range(0, 8).Select(_ => Task.Run(side.Tunnel.StopAsync)).ToArray();
        await Task.WhenAll(stops).WaitAsync(WaitTimeout);
        Assert.Equal(TunnelState.Stopped, side.Tunnel.State);
    }

    [Fact]
    public async Task StopRequestedWhileStartingStopsOnceStartIsDone()
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -K {Key} -A {Salt}");
        var tunnel = Tunnel.Create(options, device: new ChannelPacketDevice());
        Task? stop = null;
        tunnel.StateChanged += (_, e) =>
        {
            if (e.NewState == TunnelState.Starting)
            {
                stop = tunnel.StopAsync();
            }
        };
        await tunnel.StartAsync();
        Assert.NotNull(stop);
        await stop!.WaitAsync(WaitTimeout);
        Assert.Equal(TunnelState.Stopped, tunnel.State);
        Assert.All(tunnel.Threads, thread => Assert.False(thread.IsAlive));
    }

    [Fact]
    public async Task StartTwiceFailsWithAlreadyRunning()
    {
        await using var side = await StartAsync("-i 127.0.0.1 -p 0 -e left");
        var error = await Assert.ThrowsAsync<AnytunException>(() => side.Tunnel.StartAsync());
        Assert.Equal(AnytunErrorCode.AlreadyRunning, error.Code);
        Assert.Equal(TunnelState.Running, side.Tunnel.State);
    }

    [Fact]
    public async Task StopBeforeStartEndsStopped()
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -K {Key} -A {Salt}");
        var tunnel = Tunnel.Create(options, device: new ChannelPacketDevice());
        Assert.Equal(TunnelState.Created, tunnel.State);
        await tunnel.StopAsync();
        Assert.Equal(TunnelState.Stopped, tunnel.State);
    }

    [Fact]
    public async Task PortInUseFailsWithAddressInUseAndLeavesTheFirstTunnelAlone()
    {
        var portA = FreeUdpPort();
        await using var b = await StartAsync($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {portA} -e right");
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {b.Port} -e left");

        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p {portA} -K {Key} -A {Salt}");
        var device = new ChannelPacketDevice();
        var second = Tunnel.Create(options, device: device);
        var error = await Assert.ThrowsAsync<AnytunException>(() => second.StartAsync());
        Assert.Equal(AnytunErrorCode.AddressInUse, error.Code);
        Assert.Equal($"127.0.0.1:{portA}", error.Target);
        Assert.Equal(TunnelState.Faulted, second.State);
        Assert.Same(error, second.Fault);
        Assert.False(device.Inject(Ipv4Packet()), "the failed tunnel closed its device");
        await second.StopAsync();

        a.Device.Inject(Ipv4Packet(40, 2));
        Assert.Equal(Ipv4Packet(40, 2), TakeWritten(b.Device));
        b.Device.Inject(Ipv4Packet(40, 3));
        Assert.Equal(Ipv4Packet(40, 3), TakeWritten(a.Device));
    }

    [Fact]
    public async Task WaitForPeerFailsWhenTheTunnelStopsFirst()
    {
        var side = await StartAsync("-i 127.0.0.1 -p 0 -e right");
        var wait = side.Tunnel.WaitForPeerAsync();
        await side.Tunnel.StopAsync();
        var error = await Assert.ThrowsAsync<AnytunException>(() => wait);
        Assert.Equal(AnytunErrorCode.TunnelFaulted, error.Code);
    }

    [Fact]
    public async Task WaitForPeerHonoursCancellation()
    {
        await using var side = await StartAsync("-i 127.0.0.1 -p 0 -e right");
        using var cancel = new CancellationTokenSource(100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => side.Tunnel.WaitForPeerAsync(cancel.Token));
    }

    [Fact]
    public async Task EngineThreadFaultClosesEverythingAndReportsFaulted()
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -K {Key} -A {Salt}");
        var device = new ThrowingDevice();
        var tunnel = Tunnel.Create(options, device: device);
        var faulted = new TaskCompletionSource<TunnelStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        tunnel.StateChanged += (_, e) =>
        {
            if (e.NewState == TunnelState.Faulted)
            {
                faulted.TrySetResult(e);
            }
        };
        await tunnel.StartAsync();
        device.Fail.Set();

        var change = await faulted.Task.WaitAsync(WaitTimeout);
        var fault = Assert.IsType<AnytunException>(change.Fault);
        Assert.Equal(AnytunErrorCode.TunnelFaulted, fault.Code);
        Assert.IsType<IOException>(fault.InnerException);
        Assert.Same(fault, tunnel.Fault);
        Assert.Equal(TunnelState.Faulted, tunnel.State);
        Assert.True(device.Disposed);
        Assert.All(tunnel.Threads, thread => Assert.True(thread.Join(WaitTimeout)));
        await tunnel.StopAsync();
        Assert.Equal(TunnelState.Faulted, tunnel.State);
    }

    [Fact]
    public async Task PostUpCallbackRunsAfterStartWithTheTunnel()
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -K {Key} -A {Salt}");
        await using var tunnel = Tunnel.Create(options, device: new ChannelPacketDevice("hooked0"));
        var called = new TaskCompletionSource<(string? Device, TunnelState State)>(TaskCreationOptions.RunContinuationsAsynchronously);
        tunnel.PostUpCallback = (t, _) =>
        {
            called.TrySetResult((t.DeviceName, t.State));
            return Task.CompletedTask;
        };
        await tunnel.StartAsync();
        var (deviceName, _) = await called.Task.WaitAsync(WaitTimeout);
        Assert.Equal("hooked0", deviceName);
    }

    [Fact]
    public async Task ThrowingPostUpCallbackDoesNotStopTheTunnel()
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -K {Key} -A {Salt}");
        await using var tunnel = Tunnel.Create(options, device: new ChannelPacketDevice());
        tunnel.PostUpCallback = (_, _) => throw new InvalidOperationException("boom");
        await tunnel.StartAsync();
        await Task.Delay(200);
        Assert.Equal(TunnelState.Running, tunnel.State);
    }

    [Fact]
    public void LocalAddressContradictingIpv6OnlyIsRejected()
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -6 -K {Key} -A {Salt}");
        var error = Assert.Throws<AnytunException>(() => Tunnel.Create(options, device: new ChannelPacketDevice()));
        Assert.Equal(AnytunErrorCode.InvalidOption, error.Code);
    }

    [Fact]
    public async Task WildcardBindOpensOneSocketPerFamily()
    {
        await using var side = await StartAsync("-p 0 -e left");
        var endPoints = side.Tunnel.LocalEndPoints;
        Assert.Equal(2, endPoints.Count);
        Assert.Equal(IPAddress.Any, endPoints[0].Address);
        Assert.Equal(IPAddress.IPv6Any, endPoints[1].Address);
        Assert.Equal(endPoints[0].Port, endPoints[1].Port);
        Assert.Equal(3, side.Tunnel.Threads.Count);
    }

    [Fact]
    public async Task Ipv6OuterTransportWorks()
    {
        await using var b = await StartAsync("-i ::1 -p 0 -e right");
        await using var a = await StartAsync($"-i ::1 -p 0 -r ::1 -o {b.Port} -e left");
        a.Device.Inject(Ipv4Packet(40, 6));
        Assert.Equal(Ipv4Packet(40, 6), TakeWritten(b.Device));
        Assert.Equal(IPAddress.IPv6Loopback, SingleConnection(b.Tunnel).RemoteEndPoint!.Address);
        b.Device.Inject(Ipv4Packet(40, 7));
        Assert.Equal(Ipv4Packet(40, 7), TakeWritten(a.Device));
    }

    [Fact]
    public async Task RemoteOfAFamilyWithoutSocketIsCountedNotSent()
    {
        await using var a = await StartAsync("-i 127.0.0.1 -p 0 -r ::1 -o 4444 -e left");
        a.Device.Inject(Ipv4Packet());
        await WaitUntilAsync(() => SingleConnection(a.Tunnel).DropsNoSocket == 1, "a NoSocket drop");
    }

    /// <summary>A device whose Read blocks until told to fail.</summary>
    private sealed class ThrowingDevice : IPacketDevice
    {
        public ManualResetEventSlim Fail { get; } = new();

        public bool Disposed { get; private set; }

        public string Name => "throw0";

        public DeviceType Kind => DeviceType.Tun;

        public int Mtu => 1500;

        public int Read(Span<byte> buffer)
        {
            // bounded, so a test that never signals cannot park the tunnel's reader for ever
            _ = Fail.Wait(TimeSpan.FromSeconds(60));
            throw new IOException("device vanished");
        }

        public void Write(ReadOnlySpan<byte> packet)
        {
        }

        public bool TryWrite(ReadOnlySpan<byte> packet) => true;

        public void Dispose() => Disposed = true;
    }
}
