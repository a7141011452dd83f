using Anytun.Engine.Device;

namespace Anytun.Engine.Tests.Runtime.Offloads;

/// <summary>
/// On a tap device the kernel's TSO/USO super-packets are Ethernet frames and the virtio header's offsets count from the
/// frame start: every segment is the Ethernet header (with its VLAN tags) followed by exactly the IP packet the kernel's GSO
/// would have sent (compared with frames built field by field), and its checksums verify (naive reference).
/// </summary>
public sealed class TapGsoSegmenterTests
{
    private const int Mss = 1348;

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void TcpSuperFrameBecomesFramesWithTheEthernetHeaderAndTheKernelsSegments(bool v6, int vlanTags)
    {
        var payload = TestPackets.Payload(5000);
        const uint sequence = 0xFFFFF000;
        var flags = (byte)(TestPackets.FlagAck | TestPackets.FlagPsh | TestPackets.FlagFin | TestPackets.FlagCwr);
        var super = TestPackets.Ethernet(TestPackets.PartialChecksum(TestPackets.TcpPacket(v6, sequence, flags, payload), v6, TestPackets.Tcp), v6, vlanTags);
        var link = 14 + (4 * vlanTags);
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4, 0, Mss, (ushort)(link + (v6 ? 40 : 20)), 16);

        Assert.True(GsoSegmenter.TryPlan(super, header, ethernet: true, out var plan));
        Assert.Equal(4, plan.Count);
        Assert.Equal(link, plan.NetworkOffset);
        var destination = new byte[2048];
        for (var i = 0; i < plan.Count; i++)
        {
            var length = GsoSegmenter.WriteSegment(super, plan, i, destination);
            var chunk = payload.AsSpan(i * Mss, Math.Min(Mss, payload.Length - (i * Mss))).ToArray();
            var expectedFlags = TestPackets.SegmentFlags(i, plan.Count);

            var expected = TestPackets.Ethernet(TestPackets.TcpPacket(v6, sequence + (uint)(i * Mss), expectedFlags, chunk, id: (ushort)(0x1234 + i)), v6, vlanTags);
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(destination, 0, length));
            Assert.True(TestPackets.ChecksumsValid(destination.AsSpan(link, length - link)));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UdpSuperFrameBecomesFramedDatagramsWithTheirOwnLengthAndChecksum(bool v6)
    {
        var payload = TestPackets.Payload(3000, seed: 3);
        var super = TestPackets.Ethernet(TestPackets.PartialChecksum(TestPackets.UdpPacket(v6, payload), v6, TestPackets.Udp), v6);
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoUdpL4, 0, 1200, (ushort)(14 + (v6 ? 40 : 20)), 6);

        Assert.True(GsoSegmenter.TryPlan(super, header, ethernet: true, out var plan));
        Assert.Equal(3, plan.Count);
        var destination = new byte[2048];
        for (var i = 0; i < plan.Count; i++)
        {
            var length = GsoSegmenter.WriteSegment(super, plan, i, destination);
            var chunk = payload.AsSpan(i * 1200, Math.Min(1200, payload.Length - (i * 1200))).ToArray();
            var expected = TestPackets.Ethernet(TestPackets.UdpPacket(v6, chunk, id: (ushort)(0x4321 + i)), v6);
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(destination, 0, length));
        }
    }

    [Theory]
    [InlineData(false, TestPackets.Tcp)]
    [InlineData(true, TestPackets.Udp)]
    public void PartialChecksumOfASingleFrameIsCompletedAtTheFrameOffsets(bool v6, byte protocol)
    {
        var ip = protocol == TestPackets.Tcp
            ? TestPackets.TcpPacket(v6, 1, TestPackets.FlagAck, TestPackets.Payload(777))
            : TestPackets.UdpPacket(v6, TestPackets.Payload(777));
        var complete = TestPackets.Ethernet(ip, v6);
        var partial = TestPackets.Ethernet(TestPackets.PartialChecksum(ip, v6, protocol), v6);
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoNone, 0, 0, (ushort)(14 + (v6 ? 40 : 20)), (ushort)(protocol == TestPackets.Tcp ? 16 : 6));

        Assert.True(GsoSegmenter.TryCompleteChecksum(partial, header));
        Assert.Equal(Convert.ToHexString(complete), Convert.ToHexString(partial));
    }

    [Fact]
    public void MalformedSuperFramesAreRefused()
    {
        var ip4 = TestPackets.PartialChecksum(TestPackets.TcpPacket(false, 1, TestPackets.FlagAck, TestPackets.Payload(3000)), false, TestPackets.Tcp);
        var frame = TestPackets.Ethernet(ip4, v6: false);
        var tcp4 = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoTcpV4, 0, Mss, 34, 16);
        Assert.True(GsoSegmenter.TryPlan(frame, tcp4, ethernet: true, out _));

        // The IP packet without its Ethernet header, a frame cut inside its headers, a non-IP EtherType (ARP), an
        // EtherType that disagrees with the IP version, and three VLAN tags.
        Assert.False(GsoSegmenter.TryPlan(ip4, tcp4, ethernet: true, out _));
        Assert.False(GsoSegmenter.TryPlan(frame.AsSpan(0, 13), tcp4, ethernet: true, out _));
        Assert.False(GsoSegmenter.TryPlan(frame.AsSpan(0, 40), tcp4, ethernet: true, out _));
        var arp = (byte[])frame.Clone();
        arp[12] = 0x08;
        arp[13] = 0x06;
        Assert.False(GsoSegmenter.TryPlan(arp, tcp4, ethernet: true, out _));
        var mismatch = (byte[])frame.Clone();
        mismatch[12] = 0x86;
        mismatch[13] = 0xDD;
        Assert.False(GsoSegmenter.TryPlan(mismatch, tcp4, ethernet: true, out _));
        var threeTags = TestPackets.Ethernet(ip4, v6: false, vlanTags: 3);
        Assert.False(GsoSegmenter.TryPlan(threeTags, tcp4, ethernet: true, out _));

        // IPv6: the checksum start must lie past the Ethernet and IPv6 headers.
        var frame6 = TestPackets.Ethernet(TestPackets.PartialChecksum(TestPackets.TcpPacket(true, 1, TestPackets.FlagAck, TestPackets.Payload(3000)), true, TestPackets.Tcp), v6: true);
        Assert.False(GsoSegmenter.TryPlan(frame6, new VirtioNetHeader(1, VirtioNetHeader.GsoTcpV6, 0, Mss, 40, 16), ethernet: true, out _));
        Assert.True(GsoSegmenter.TryPlan(frame6, new VirtioNetHeader(1, VirtioNetHeader.GsoTcpV6, 0, Mss, 54, 16), ethernet: true, out _));
    }

    [Fact]
    public void SegmentingFramesAllocatesNothing()
    {
        var super = TestPackets.Ethernet(TestPackets.PartialChecksum(TestPackets.TcpPacket(false, 1, TestPackets.FlagAck, TestPackets.Payload(60000)), false, TestPackets.Tcp), v6: false, vlanTags: 1);
        var header = new VirtioNetHeader(1, VirtioNetHeader.GsoTcpV4, 0, Mss, 38, 16);
        var destination = new byte[2048];
        Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void Run()
        {
            Assert.True(GsoSegmenter.TryPlan(super, header, ethernet: true, out var plan));
            for (var i = 0; i < plan.Count; i++)
            {
                _ = GsoSegmenter.WriteSegment(super, plan, i, destination);
            }
        }
    }
}
