using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Device;
using Anytun.Engine.Protocol;
using Anytun.Engine.Runtime;
using Anytun.Engine.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>
/// Regression (issue 9, bug 1): a receiver thread could drain the device through the sender's encoder after the sender
/// thread's finally had disposed it (the dispose ran outside the gate, and Stopping is set later, on the thread pool).
/// A disposed AES-NI cipher kept its round count with zeroed round keys, so such packets left encrypted under an
/// all-zero key schedule. Now the sender's end runs under the gate and closes the loop: nothing is sent after it.
/// </summary>
public sealed class SenderShutdownTests
{
    [Fact]
    public void AfterTheSenderThreadEndedAReceiverDrainSendsNothing()
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -K {Key} -A {Salt}");
        var inner = new ChannelPacketDevice("tunfail");
        using var device = new FailingDevice(inner);
        var control = new TunnelControl("bug1", options, SatpAlgorithms.FromOptions(options), DeviceType.Tun, NullLogger.Instance);
        using var transport = UdpTransport.Bind(new[] { IPAddress.Loopback }, 0);
        using var peer = RawSocket();
        peer.ReceiveTimeout = 300;
        using (var spec = new ConnectionSpec(0) { RemoteHost = "127.0.0.1", RemotePort = ((IPEndPoint)peer.LocalEndPoint!).Port })
        {
            control.AddConnection(spec, EntryOrigin.CommandLine);
        }

        using var faulted = new ManualResetEventSlim();
        var context = new EngineContext(device, transport, control, options, NullLogger.Instance, OffloadSettings.All)
        {
            // The tunnel would shut down later, on the thread pool: exactly the window in which the bug struck.
            LoopFaulted = (_, _) => faulted.Set(),
        };
        var sender = new SenderLoop(context, control.Reclaimer.Register("sender"));
        var thread = new Thread(sender.Run) { IsBackground = true, Name = "bug1 sender" };
        thread.Start();

        var buffer = new byte[4096];
        Assert.True(inner.Inject(Ipv4Packet(60, 1)));
        Assert.True(peer.Receive(buffer) > 0, "the running sender sends a packet");

        // The sender thread dies while the tunnel is not stopping yet; a packet stays queued on the device.
        device.Fail = true;
        Assert.True(inner.Inject(Ipv4Packet(60, 2)));
        Assert.True(faulted.Wait(WaitTimeout), "the sender thread did not fault within the timeout");
        Assert.True(thread.Join(WaitTimeout), "the sender thread did not end within the timeout");
        Assert.False(context.Stopping);
        Assert.True(sender.Encoder.IsDisposed);

        // What a receiver does right after its device write: must neither throw nor send anything.
        sender.TryDrainFromReceiver();
        Assert.Throws<System.Net.Sockets.SocketException>(() => peer.Receive(buffer));
        Assert.Equal(1, control.GetConnection(0)!.PacketsOut);
        control.Stop();
    }

    /// <summary>A pollable in-memory device whose wait throws once told to (the sender thread then faults).</summary>
    private sealed class FailingDevice : IPollablePacketDevice
    {
        private readonly IPollablePacketDevice _inner;

        public FailingDevice(ChannelPacketDevice inner)
        {
            _inner = inner;
        }

        public volatile bool Fail;

        public string Name => _inner.Name;

        public DeviceType Kind => _inner.Kind;

        public int Mtu => _inner.Mtu;

        public int Read(Span<byte> buffer) => _inner.Read(buffer);

        public int ReadAvailable(Span<byte> buffer) => _inner.ReadAvailable(buffer);

        public bool WaitReadable()
        {
            var ready = _inner.WaitReadable();
            if (Fail)
            {
                throw new IOException("forced device failure");
            }

            return ready;
        }

        public void Write(ReadOnlySpan<byte> packet) => _inner.Write(packet);

        public bool TryWrite(ReadOnlySpan<byte> packet) => _inner.TryWrite(packet);

        public void Dispose() => _inner.Dispose();
    }
}
