using Anytun.Engine.Device;

namespace Anytun.Engine.Tests.Runtime.Offloads;

/// <summary>
/// Receive-side coalescing on a tap device: in-order TCP segments and equal UDP datagrams in Ethernet frames with the same
/// MACs become one super-frame whose virtio offsets count the Ethernet header and that, cut again by the segmenter, gives
/// back exactly the original frames; other MACs, VLAN-tagged frames and EtherTypes that disagree are refused.
/// </summary>
public sealed class TapCoalescerTests
{
    private const int Mss = 1348;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TcpFramesMergeIntoOneSuperFrameAndSplitBackIntoTheSameFrames(bool v6)
    {
        var frames = Enumerable.Range(0, 5)
            .Select(i => TestPackets.Ethernet(
                TestPackets.TcpPacket(v6, 0x7FFFFFF0 + (uint)(i * Mss), (byte)(TestPackets.FlagAck | (i == 4 ? TestPackets.FlagPsh : 0)), TestPackets.Payload(i == 4 ? 500 : Mss, seed: i), id: (ushort)(0x1234 + i)),
                v6))
            .ToArray();
        var coalescer = new TcpCoalescer(ethernet: true);
        foreach (var frame in frames)
        {
            Assert.Equal(CoalesceResult.Held, coalescer.Offer(frame));
        }

        var written = coalescer.TakePending().ToArray();
        var header = VirtioNetHeader.Read(written);
        Assert.Equal(v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4, header.GsoType);
        Assert.Equal(Mss, header.GsoSize);
        Assert.Equal(14 + (v6 ? 40 : 20), header.ChecksumStart);
        Assert.Equal(14 + (v6 ? 40 : 20) + 32, header.HeaderLength);

        var super = written.AsSpan(VirtioNetHeader.Size).ToArray();
        Assert.Equal(Convert.ToHexString(frames[0], 0, 14), Convert.ToHexString(super, 0, 14));
        Assert.True(GsoSegmenter.TryPlan(super, header, ethernet: true, out var plan));
        Assert.Equal(5, plan.Count);
        var destination = new byte[2048];
        for (var i = 0; i < plan.Count; i++)
        {
            var length = GsoSegmenter.WriteSegment(super, plan, i, destination);
            Assert.Equal(Convert.ToHexString(frames[i]), Convert.ToHexString(destination, 0, length));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UdpFramesMergeIntoOneSuperFrameAndSplitBackIntoTheSameFrames(bool v6)
    {
        var frames = Enumerable.Range(0, 6)
            .Select(i => TestPackets.Ethernet(TestPackets.UdpPacket(v6, TestPackets.Payload(i == 5 ? 30 : 64, seed: i), id: (ushort)(0x4321 + i)), v6))
            .ToArray();
        var coalescer = new UdpCoalescer(ethernet: true);
        foreach (var frame in frames)
        {
            Assert.Equal(CoalesceResult.Held, coalescer.Offer(frame));
        }

        var written = coalescer.TakePending().ToArray();
        var header = VirtioNetHeader.Read(written);
        Assert.Equal(VirtioNetHeader.GsoUdpL4, header.GsoType);
        Assert.Equal(14 + (v6 ? 40 : 20), header.ChecksumStart);
        Assert.Equal(14 + (v6 ? 40 : 20) + 8, header.HeaderLength);
        var super = written.AsSpan(VirtioNetHeader.Size).ToArray();
        Assert.True(GsoSegmenter.TryPlan(super, header, ethernet: true, out var plan));
        Assert.Equal(6, plan.Count);
        var destination = new byte[2048];
        for (var i = 0; i < plan.Count; i++)
        {
            var length = GsoSegmenter.WriteSegment(super, plan, i, destination);
            Assert.Equal(Convert.ToHexString(frames[i]), Convert.ToHexString(destination, 0, length));
        }
    }

    [Fact]
    public void ALoneFrameIsWrittenUnchangedWithAnEmptyHeader()
    {
        var frame = TestPackets.Ethernet(TestPackets.TcpPacket(false, 10, TestPackets.FlagAck, TestPackets.Payload(100)), v6: false);
        var coalescer = new TcpCoalescer(ethernet: true);
        Assert.Equal(CoalesceResult.Held, coalescer.Offer(frame));
        var written = coalescer.TakePending().ToArray();
        Assert.All(written.AsSpan(0, VirtioNetHeader.Size).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(Convert.ToHexString(frame), Convert.ToHexString(written, VirtioNetHeader.Size, frame.Length));
    }

    [Fact]
    public void OtherMacsTagsAndEtherTypesAreNotMerged()
    {
        var tcp = new TcpCoalescer(ethernet: true);
        var udp = new UdpCoalescer(ethernet: true);
        var first = TestPackets.Ethernet(TestPackets.TcpPacket(false, 1000, TestPackets.FlagAck, TestPackets.Payload(Mss)), v6: false);
        var next = TestPackets.Ethernet(TestPackets.TcpPacket(false, 1000 + Mss, TestPackets.FlagAck, TestPackets.Payload(Mss)), v6: false);
        var otherSource = (byte[])next.Clone();
        otherSource[11] ^= 1;
        var mismatch = (byte[])next.Clone();
        mismatch[12] = 0x86;
        mismatch[13] = 0xDD;
        var datagram = TestPackets.Ethernet(TestPackets.UdpPacket(false, TestPackets.Payload(64)), v6: false);
        var otherDestination = (byte[])datagram.Clone();
        otherDestination[0] ^= 1;

        // A bare IP packet, a VLAN-tagged frame, an EtherType that disagrees with the IP version, a runt.
        Assert.Equal(CoalesceResult.NotCandidate, tcp.Offer(TestPackets.TcpPacket(false, 1, TestPackets.FlagAck, TestPackets.Payload(Mss))));
        Assert.Equal(CoalesceResult.NotCandidate, tcp.Offer(TestPackets.Ethernet(TestPackets.TcpPacket(false, 1, TestPackets.FlagAck, TestPackets.Payload(Mss)), v6: false, vlanTags: 1)));
        Assert.Equal(CoalesceResult.NotCandidate, tcp.Offer(mismatch));
        Assert.Equal(CoalesceResult.NotCandidate, tcp.Offer(first.AsSpan(0, 14)));
        Assert.Equal(CoalesceResult.NotCandidate, udp.Offer(mismatch));

        Assert.Equal(CoalesceResult.Held, tcp.Offer(first));
        Assert.Equal(CoalesceResult.FlushFirst, tcp.Offer(otherSource));
        Assert.Equal(CoalesceResult.Held, tcp.Offer(next));
        Assert.Equal(2, tcp.PendingSegments);

        Assert.Equal(CoalesceResult.Held, udp.Offer(datagram));
        Assert.Equal(CoalesceResult.FlushFirst, udp.Offer(otherDestination));
        Assert.Equal(CoalesceResult.Held, udp.Offer(datagram));
    }
}
