using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Tests.Support;
using Anytun.Engine.Transport;

namespace Anytun.Engine.Tests.Runtime.Offloads;

/// <summary>
/// Batched sends (UDP GSO and sendmmsg) and GRO receives over loopback: every datagram arrives as its own datagram with its
/// own bytes, whichever path is taken; a socket the kernel refuses GSO on (SO_NO_CHECK) falls back to sendmmsg.
/// </summary>
public sealed class UdpBatchTransportTests
{
    private const int SolSocket = 1;
    private const int SoNoCheck = 11;

    // the receive paths block without a timeout: each receive first waits (bounded) until a datagram is there
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void EveryDatagramArrivesIntact(bool gso, bool v6)
    {
        using var receiver = Bound(v6);
        using var sender = Bound(v6);
        var batch = new UdpBatchSender(gso);
        var destination = receiver.LocalEndPoint!.Serialize();
        var sizes = new[] { 1420, 1420, 1420, 1420, 900 };
        SendBatch(batch, sender, destination, sizes);
        Assert.Equal(gso, batch.UsesGso);

        var buffer = new byte[65536];
        for (var i = 0; i < sizes.Length; i++)
        {
            TestDeadline.WaitReadable(receiver, Wait, $"datagram {i} on loopback");
            var length = receiver.Receive(buffer);
            Assert.Equal(sizes[i], length);
            Assert.True(buffer.AsSpan(0, length).IndexOfAnyExcept((byte)(i + 1)) < 0, $"datagram {i} content");
        }
    }

    [Fact]
    public void GsoRefusedByTheKernelFallsBackToSendmmsgOnce()
    {
        using var receiver = Bound(v6: false);
        using var sender = Bound(v6: false);
        sender.SetRawSocketOption(SolSocket, SoNoCheck, BitConverter.GetBytes(1));
        var batch = new UdpBatchSender(useGso: true);
        var destination = receiver.LocalEndPoint!.Serialize();
        SendBatch(batch, sender, destination, [1000, 1000, 1000]);

        Assert.False(batch.UsesGso);
        Assert.NotEqual(0, batch.GsoRefusal);
        var buffer = new byte[65536];
        for (var i = 0; i < 3; i++)
        {
            TestDeadline.WaitReadable(receiver, Wait, $"datagram {i} sent by sendmmsg");
            Assert.Equal(1000, receiver.Receive(buffer));
        }
    }

    [Fact]
    public void GsoBatchesHoldOnlyEqualSizesWithAShorterLast()
    {
        using var sender = Bound(v6: false);
        var destination = new IPEndPoint(IPAddress.Loopback, 9).Serialize();
        var other = new IPEndPoint(IPAddress.Loopback, 10).Serialize();
        var batch = new UdpBatchSender(useGso: true);
        Assert.True(batch.CanAppend(1000, sender, destination));
        batch.Append(1000, sender, destination);
        Assert.False(batch.CanAppend(1001, sender, destination));
        Assert.False(batch.CanAppend(1000, sender, other));
        Assert.True(batch.CanAppend(500, sender, destination));
        batch.Append(500, sender, destination);
        Assert.False(batch.CanAppend(500, sender, destination));

        var plain = new UdpBatchSender(useGso: false);
        plain.Append(1000, sender, destination);
        Assert.True(plain.CanAppend(1400, sender, destination));
        for (var i = 1; i < UdpBatchSender.MaxDatagrams; i++)
        {
            plain.Append(100, sender, destination);
        }

        Assert.False(plain.CanAppend(100, sender, destination));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GroReceiverReturnsRunsOfDatagramsWithTheirSize(bool v6)
    {
        using var receiver = Bound(v6);
        using var sender = Bound(v6);
        var gro = new UdpGroReceiver(receiver, useGro: true);
        Assert.True(gro.GroEnabled);
        var batch = new UdpBatchSender(useGso: true);
        var sizes = new[] { 1200, 1200, 1200, 700 };
        SendBatch(batch, sender, receiver.LocalEndPoint!.Serialize(), sizes);

        var buffer = GC.AllocateArray<byte>(65536, pinned: true);
        var source = new SocketAddress(receiver.AddressFamily);
        var received = new List<int>();
        while (received.Count < sizes.Length)
        {
            TestDeadline.WaitReadable(receiver, Wait, $"datagram {received.Count} for the GRO receiver");
            var length = gro.Receive(buffer, source, -1, out var segmentSize);
            Assert.True(length > 0);
            for (var offset = 0; offset < length; offset += segmentSize)
            {
                var size = Math.Min(segmentSize, length - offset);
                Assert.True(buffer.AsSpan(offset, size).IndexOfAnyExcept((byte)(received.Count + 1)) < 0, $"datagram {received.Count} content");
                received.Add(size);
            }
        }

        Assert.Equal(sizes, received);
        Assert.Equal(sender.LocalEndPoint, new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(source));
    }

    [Fact]
    public void WithoutGroEveryReceiveIsOneDatagram()
    {
        using var receiver = Bound(v6: false);
        using var sender = Bound(v6: false);
        var plain = new UdpGroReceiver(receiver, useGro: false);
        Assert.False(plain.GroEnabled);
        SendBatch(new UdpBatchSender(useGso: true), sender, receiver.LocalEndPoint!.Serialize(), [800, 800, 800]);
        var buffer = GC.AllocateArray<byte>(65536, pinned: true);
        var source = new SocketAddress(AddressFamily.InterNetwork);
        for (var i = 0; i < 3; i++)
        {
            TestDeadline.WaitReadable(receiver, Wait, $"datagram {i} without GRO");
            Assert.Equal(800, plain.Receive(buffer, source, -1, out var segmentSize));
            Assert.Equal(800, segmentSize);
        }
    }

    [Fact]
    public void BatchesAndReceivesAllocateNothing() =>
        TestDeadline.Run(BatchAndReceiveWithoutAllocating, TestDeadline.Default, "350 batches of 8 datagrams to come back through GRO");

    private static void BatchAndReceiveWithoutAllocating()
    {
        using var receiver = Bound(v6: false);
        using var sender = Bound(v6: false);
        var gro = new UdpGroReceiver(receiver, useGro: true);
        var batch = new UdpBatchSender(useGso: true);
        var destination = receiver.LocalEndPoint!.Serialize();
        var buffer = GC.AllocateArray<byte>(65536, pinned: true);
        var source = new SocketAddress(AddressFamily.InterNetwork);
        var failures = 0;
        for (var i = 0; i < 300; i++)
        {
            RoundTrip();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            RoundTrip();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, failures);

        // No xunit asserts inside: they allocate.
        void RoundTrip()
        {
            for (var i = 0; i < 8; i++)
            {
                batch.NextSlot[..1000].Fill(1);
                batch.Append(1000, sender, destination);
            }

            failures += batch.Flush();
            var total = 0;
            while (total < 8000)
            {
                total += gro.Receive(buffer, source, -1, out _);
            }
        }
    }

    private static void SendBatch(UdpBatchSender batch, Socket sender, SocketAddress destination, int[] sizes)
    {
        for (var i = 0; i < sizes.Length; i++)
        {
            Assert.True(batch.CanAppend(sizes[i], sender, destination));
            batch.NextSlot[..sizes[i]].Fill((byte)(i + 1));
            batch.Append(sizes[i], sender, destination);
        }

        Assert.Equal(0, batch.Flush());
        Assert.Equal(0, batch.Count);
    }

    private static Socket Bound(bool v6)
    {
        var socket = new Socket(v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(v6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0));
        return socket;
    }
}
