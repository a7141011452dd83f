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

        var waiter = new Thread(() => anticipation!.Wait(fd)) { IsBackground = true };
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

        var waiter = new Thread(() => anticipation!.Wait(fd)) { IsBackground = true };
        waiter.Start();
        Thread.Sleep(20);
        peer.SendTo(new byte[] { 1 }, socket.LocalEndPoint!);

        Assert.True(waiter.Join(5000));
    }
}
