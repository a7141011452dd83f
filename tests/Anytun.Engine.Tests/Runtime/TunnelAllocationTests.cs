using Anytun.Engine.Runtime;
using Xunit.Abstractions;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>
/// The packet loops must allocate nothing per packet in steady state. Each loop publishes
/// GC.GetAllocatedBytesForCurrentThread() after every packet; the difference over a burst must be 0.
/// </summary>
public sealed class TunnelAllocationTests
{
    private const int Burst = 4000;
    private readonly ITestOutputHelper _output;

    public TunnelAllocationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [InlineData("")]
    [InlineData("-w 64")]
    [InlineData("-c null -a null")]
    public async Task SendAndReceiveLoopsDoNotAllocatePerPacket(string extra)
    {
        var portA = FreeUdpPort();
        await using var b = await StartAsync($"-i 127.0.0.1 -p 0 -e right {extra}");
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {b.Port} -e left {extra}");
        var sender = a.Tunnel.Sender!;
        var receiver = b.Tunnel.Receivers[0];
        var packet = Ipv4Packet(1200, 3);

        // Warm up: learning the remote, first-use statics and JIT tiering may allocate once. Tier-1 code is installed
        // in the background ~100 ms after the calls, so warm up twice with a pause (steady state is what counts).
        await PumpAsync(a, b, packet, 2000);
        await Task.Delay(400);
        await PumpAsync(a, b, packet, 2000);
        var senderBefore = sender.AllocatedBytes;
        var receiverBefore = receiver.AllocatedBytes;
        var receivedBefore = receiver.Processed;

        await PumpAsync(a, b, packet, Burst);
        var received = receiver.Processed - receivedBefore;
        var senderDelta = sender.AllocatedBytes - senderBefore;
        var receiverDelta = receiver.AllocatedBytes - receiverBefore;
        _output.WriteLine($"sent {Burst}, received {received}: sender allocated {senderDelta} B, receiver allocated {receiverDelta} B");

        Assert.True(received > Burst / 2, $"too few datagrams arrived ({received}) to measure");
        Assert.Equal(0, senderDelta);
        Assert.Equal(0, receiverDelta);
    }

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
