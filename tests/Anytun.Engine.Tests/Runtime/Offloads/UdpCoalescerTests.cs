using System.Buffers.Binary;
using Anytun.Engine.Device;

namespace Anytun.Engine.Tests.Runtime.Offloads;

/// <summary>Receive-side UDP coalescing: equal-sized datagrams of one flow become one USO super-packet that GSO cuts back
/// into exactly the original datagrams; other flows, sizes and bad checksums are refused.</summary>
public sealed class UdpCoalescerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EqualDatagramsMergeAndSplitBackIntoTheSameDatagrams(bool v6)
    {
        var datagrams = Enumerable.Range(0, 6)
            .Select(i => TestPackets.UdpPacket(v6, TestPackets.Payload(i == 5 ? 30 : 64, seed: i), id: (ushort)(0x4321 + i)))
            .ToArray();
        var coalescer = new UdpCoalescer();
        foreach (var datagram in datagrams)
        {
            Assert.Equal(CoalesceResult.Held, coalescer.Offer(datagram));
        }

        var written = coalescer.TakePending().ToArray();
        var header = VirtioNetHeader.Read(written);
        Assert.Equal(VirtioNetHeader.GsoUdpL4, header.GsoType);
        Assert.True(header.NeedsChecksum);
        Assert.Equal(64, header.GsoSize);
        Assert.Equal(v6 ? 40 : 20, header.ChecksumStart);
        Assert.Equal(6, header.ChecksumOffset);

        var super = written.AsSpan(VirtioNetHeader.Size).ToArray();
        Assert.True(GsoSegmenter.TryPlan(super, header, out var plan));
        Assert.Equal(6, plan.Count);
        var destination = new byte[2048];
        for (var i = 0; i < plan.Count; i++)
        {
            var length = GsoSegmenter.WriteSegment(super, plan, i, destination);
            Assert.Equal(Convert.ToHexString(datagrams[i]), Convert.ToHexString(destination, 0, length));
        }
    }

    [Fact]
    public void OtherFlowsSizesAndBadChecksumsAreRefused()
    {
        var coalescer = new UdpCoalescer();
        var bad = TestPackets.UdpPacket(false, TestPackets.Payload(64));
        bad[^1] ^= 1;
        Assert.Equal(CoalesceResult.NotCandidate, coalescer.Offer(bad));
        Assert.Equal(CoalesceResult.NotCandidate, coalescer.Offer(TestPackets.TcpPacket(false, 1, TestPackets.FlagAck, TestPackets.Payload(64))));
        Assert.Equal(CoalesceResult.NotCandidate, coalescer.Offer(TestPackets.UdpPacket(false, [])));

        Assert.Equal(CoalesceResult.Held, coalescer.Offer(TestPackets.UdpPacket(false, TestPackets.Payload(64))));
        Assert.Equal(CoalesceResult.FlushFirst, coalescer.Offer(TestPackets.UdpPacket(false, TestPackets.Payload(65))));
        Assert.Equal(CoalesceResult.FlushFirst, coalescer.Offer(TestPackets.UdpPacket(true, TestPackets.Payload(64))));
        var otherPort = TestPackets.UdpPacket(false, TestPackets.Payload(64));
        BinaryPrimitives.WriteUInt16BigEndian(otherPort.AsSpan(22), 5203);
        otherPort[26] = 0;
        otherPort[27] = 0; // no checksum (allowed for IPv4)
        Assert.Equal(CoalesceResult.FlushFirst, coalescer.Offer(otherPort));
        Assert.Equal(CoalesceResult.Held, coalescer.Offer(TestPackets.UdpPacket(false, TestPackets.Payload(10))));
        Assert.Equal(CoalesceResult.FlushFirst, coalescer.Offer(TestPackets.UdpPacket(false, TestPackets.Payload(10))));
        Assert.Equal(2, coalescer.PendingSegments);
    }

    [Fact]
    public void ALoneDatagramIsWrittenUnchanged()
    {
        var datagram = TestPackets.UdpPacket(true, TestPackets.Payload(99));
        var coalescer = new UdpCoalescer();
        Assert.Equal(CoalesceResult.Held, coalescer.Offer(datagram));
        var written = coalescer.TakePending().ToArray();
        Assert.All(written.AsSpan(0, VirtioNetHeader.Size).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(Convert.ToHexString(datagram), Convert.ToHexString(written, VirtioNetHeader.Size, datagram.Length));
    }
}
