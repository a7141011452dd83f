using System.Buffers.Binary;
using Anytun.Engine.Device;

namespace Anytun.Engine.Tests.Runtime.Offloads;

/// <summary>Receive-side coalescing: in-order segments of one flow become one super-packet that, cut again by GSO, gives
/// back exactly the original segments; everything Linux GRO would not merge is refused.</summary>
public sealed class TcpCoalescerTests
{
    private const int Mss = 1348;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InOrderSegmentsMergeAndSplitBackIntoTheSameSegments(bool v6)
    {
        var segments = Segments(v6, 0x7FFFFFF0, 5, lastLength: 500, pshOnLast: true);
        var coalescer = new TcpCoalescer();
        foreach (var segment in segments)
        {
            Assert.Equal(CoalesceResult.Held, coalescer.Offer(segment));
        }

        Assert.Equal(5, coalescer.PendingSegments);
        var written = coalescer.TakePending().ToArray();
        Assert.Equal(0, coalescer.PendingSegments);

        var header = VirtioNetHeader.Read(written);
        Assert.Equal(v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4, header.GsoType);
        Assert.True(header.NeedsChecksum);
        Assert.Equal(Mss, header.GsoSize);
        Assert.Equal(v6 ? 40 : 20, header.ChecksumStart);
        Assert.Equal(16, header.ChecksumOffset);
        Assert.Equal((v6 ? 40 : 20) + 32, header.HeaderLength);

        var super = written.AsSpan(VirtioNetHeader.Size).ToArray();
        Assert.Equal(segments.Sum(s => s.Length) - (4 * ((v6 ? 40 : 20) + 32)), super.Length);
        Assert.True(GsoSegmenter.TryPlan(super, header, out var plan));
        Assert.Equal(5, plan.Count);
        var destination = new byte[2048];
        for (var i = 0; i < plan.Count; i++)
        {
            var length = GsoSegmenter.WriteSegment(super, plan, i, destination);
            var expected = segments[i];
            if (!v6)
            {
                // GSO numbers the ids from the first segment's id (ours were made consecutive too).
                Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(expected.AsSpan(4)), BinaryPrimitives.ReadUInt16BigEndian(destination.AsSpan(4)));
            }

            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(destination, 0, length));
        }
    }

    [Fact]
    public void ALonePacketIsWrittenUnchangedWithAnEmptyHeader()
    {
        var packet = TestPackets.TcpPacket(false, 10, TestPackets.FlagAck, TestPackets.Payload(100));
        var coalescer = new TcpCoalescer();
        Assert.Equal(CoalesceResult.Held, coalescer.Offer(packet));
        var written = coalescer.TakePending().ToArray();
        Assert.All(written.AsSpan(0, VirtioNetHeader.Size).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(Convert.ToHexString(packet), Convert.ToHexString(written, VirtioNetHeader.Size, packet.Length));
        Assert.True(coalescer.TakePending().IsEmpty);
    }

    [Fact]
    public void WhatGroWouldNotMergeIsRefused()
    {
        var coalescer = new TcpCoalescer();
        var payload = TestPackets.Payload(Mss);
        Assert.Equal(CoalesceResult.NotCandidate, coalescer.Offer(TestPackets.TcpPacket(false, 1, TestPackets.FlagSyn, [])));
        Assert.Equal(CoalesceResult.NotCandidate, coalescer.Offer(TestPackets.TcpPacket(false, 1, TestPackets.FlagAck, [])));
        Assert.Equal(CoalesceResult.NotCandidate, coalescer.Offer(TestPackets.TcpPacket(false, 1, TestPackets.FlagAck | TestPackets.FlagFin, payload)));
        Assert.Equal(CoalesceResult.NotCandidate, coalescer.Offer(TestPackets.UdpPacket(false, payload)));

        var badChecksum = TestPackets.TcpPacket(false, 1, TestPackets.FlagAck, payload);
        badChecksum[^1] ^= 0x55;
        Assert.Equal(CoalesceResult.NotCandidate, coalescer.Offer(badChecksum));

        var fragment = TestPackets.TcpPacket(false, 1, TestPackets.FlagAck, payload);
        fragment[6] = 0x20; // MF
        Assert.Equal(CoalesceResult.NotCandidate, coalescer.Offer(fragment));

        Assert.Equal(CoalesceResult.Held, coalescer.Offer(TestPackets.TcpPacket(false, 1000, TestPackets.FlagAck, payload)));
        Assert.Equal(CoalesceResult.FlushFirst, coalescer.Offer(TestPackets.TcpPacket(false, 1000 + Mss + 1, TestPackets.FlagAck, payload)));
        Assert.Equal(CoalesceResult.FlushFirst, coalescer.Offer(TestPackets.TcpPacket(false, 1000 + Mss, TestPackets.FlagAck, payload, ack: 99)));
        Assert.Equal(CoalesceResult.FlushFirst, coalescer.Offer(TestPackets.TcpPacket(true, 1000 + Mss, TestPackets.FlagAck, payload)));
        Assert.Equal(CoalesceResult.FlushFirst, coalescer.Offer(TestPackets.TcpPacket(false, 1000 + Mss, TestPackets.FlagAck, payload, options: [1, 1, 8, 10, 0, 0, 0x12, 0x35, 0, 0, 0x56, 0x78])));
        Assert.Equal(CoalesceResult.FlushFirst, coalescer.Offer(TestPackets.TcpPacket(false, 1000 + Mss, TestPackets.FlagAck, TestPackets.Payload(Mss + 1))));
        Assert.Equal(1, coalescer.PendingSegments);
    }

    [Fact]
    public void AShortOrPushedSegmentClosesTheRun()
    {
        var coalescer = new TcpCoalescer();
        Assert.Equal(CoalesceResult.Held, coalescer.Offer(TestPackets.TcpPacket(false, 0, TestPackets.FlagAck, TestPackets.Payload(Mss))));
        Assert.Equal(CoalesceResult.Held, coalescer.Offer(TestPackets.TcpPacket(false, Mss, TestPackets.FlagAck, TestPackets.Payload(100))));
        Assert.Equal(CoalesceResult.FlushFirst, coalescer.Offer(TestPackets.TcpPacket(false, Mss + 100, TestPackets.FlagAck, TestPackets.Payload(100))));
        _ = coalescer.TakePending();

        Assert.Equal(CoalesceResult.Held, coalescer.Offer(TestPackets.TcpPacket(false, 0, TestPackets.FlagAck, TestPackets.Payload(Mss))));
        Assert.Equal(CoalesceResult.Held, coalescer.Offer(TestPackets.TcpPacket(false, Mss, TestPackets.FlagAck | TestPackets.FlagPsh, TestPackets.Payload(Mss))));
        Assert.Equal(CoalesceResult.FlushFirst, coalescer.Offer(TestPackets.TcpPacket(false, 2 * Mss, TestPackets.FlagAck, TestPackets.Payload(Mss))));
        var written = coalescer.TakePending();
        Assert.Equal(TestPackets.FlagAck | TestPackets.FlagPsh, written[VirtioNetHeader.Size + 20 + 13]);
    }

    [Fact]
    public void NeverMoreThan64KiB()
    {
        var coalescer = new TcpCoalescer();
        var held = 0;
        for (var i = 0; i < 60; i++)
        {
            var result = coalescer.Offer(TestPackets.TcpPacket(false, (uint)(i * Mss), TestPackets.FlagAck, TestPackets.Payload(Mss)));
            if (result != CoalesceResult.Held)
            {
                Assert.Equal(CoalesceResult.FlushFirst, result);
                break;
            }

            held++;
        }

        Assert.True(held < 60);
        Assert.True(coalescer.TakePending().Length - VirtioNetHeader.Size <= 65535);
    }

    [Fact]
    public void CoalescingAllocatesNothing()
    {
        var segments = Segments(false, 1, 40, lastLength: Mss, pshOnLast: false);
        var coalescer = new TcpCoalescer();
        Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void Run()
        {
            foreach (var segment in segments)
            {
                if (coalescer.Offer(segment) == CoalesceResult.FlushFirst)
                {
                    _ = coalescer.TakePending();
                    _ = coalescer.Offer(segment);
                }
            }

            _ = coalescer.TakePending();
        }
    }

    private static byte[][] Segments(bool v6, uint sequence, int count, int lastLength, bool pshOnLast)
    {
        var result = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var last = i == count - 1;
            var flags = (byte)(TestPackets.FlagAck | (last && pshOnLast ? TestPackets.FlagPsh : 0));
            result[i] = TestPackets.TcpPacket(v6, sequence + (uint)(i * Mss), flags, TestPackets.Payload(last ? lastLength : Mss, seed: i), id: (ushort)(0x1234 + i));
        }

        return result;
    }
}
