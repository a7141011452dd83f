using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Transport;

namespace Anytun.Engine.Tests.Runtime;

public sealed class ReplyAnticipationTests
{
    [Fact]
    public void NudgeWakesAParkedReceiver()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var anticipation = ReplyAnticipation.TryCreate();
        Assert.NotNull(anticipation);
        var fd = (int)socket.SafeHandle.DangerousGetHandle();

        var waiter = new Thread(() => anticipation!.Wait(fd, -1)) { IsBackground = true };
        waiter.Start();
        var deadline = Stopwatch.StartNew();
        while (waiter.IsAlive && deadline.ElapsedMilliseconds < 5000)
        {
            // The nudge only counts once the waiter has parked: repeat until it returns.
            anticipation!.Nudge();
            Thread.Sleep(5);
        }

        Assert.False(waiter.IsAlive);
    }

    [Fact]
    public void WaitReturnsWhenADatagramArrives()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var anticipation = ReplyAnticipation.TryCreate();
        var fd = (int)socket.SafeHandle.DangerousGetHandle();

        var waiter = new Thread(() => anticipation!.Wait(fd, -1)) { IsBackground = true };
        waiter.Start();
        Thread.Sleep(20);
        peer.SendTo(new byte[] { 1 }, socket.LocalEndPoint!);

        Assert.True(waiter.Join(5000));
    }

    [Fact]
    public void ATimeoutAppliesOnlyWithTheDeviceInTheWait()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        // Any pollable descriptor stands in for the device: a second socket that never receives anything.
        using var device = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        device.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var anticipation = ReplyAnticipation.TryCreate();
        var fd = (int)socket.SafeHandle.DangerousGetHandle();

        anticipation!.Device = device.SafeHandle;
        // Setting the device wakes the receiver once (so it picks the device up): that wait ends at once.
        Assert.Equal(WaitOutcome.Socket, anticipation.Wait(fd, 5));
        var clock = Stopwatch.StartNew();
        Assert.Equal(WaitOutcome.TimedOut, anticipation.Wait(fd, 5));
        Assert.True(clock.ElapsedMilliseconds < 2000, $"a 5 ms wait took {clock.ElapsedMilliseconds} ms");

        // Without the device (pipeline mode) the receiver sleeps until something comes: a nudge here.
        anticipation.Device = null;
        var outcome = WaitOutcome.TimedOut;
        var waiter = new Thread(() => outcome = anticipation.Wait(fd, 5)) { IsBackground = true };
        waiter.Start();
        Assert.False(waiter.Join(100), "the wait without the device ended before anything came");
        var deadline = Stopwatch.StartNew();
        while (waiter.IsAlive && deadline.ElapsedMilliseconds < 5000)
        {
            anticipation.Nudge();
            Thread.Sleep(5);
        }

        Assert.False(waiter.IsAlive, "the nudged wait did not end within 5 s");
        Assert.Equal(WaitOutcome.Socket, outcome);
    }
}
