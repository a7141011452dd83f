using System.Buffers.Binary;
using Anytun.Engine.Device;

namespace Anytun.Engine.Tests.Runtime.Offloads;

/// <summary>TSO/USO super-packets are cut exactly as the kernel's GSO would cut them (compared with packets built field by
/// field) and every segment carries valid checksums (naive reference).</summary>
public sealed class GsoSegmenterTests
{
    private const int Mss = 1348;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TcpSuperPacketBecomesTheSegmentsTheKernelWouldSend(bool v6)
    {
        var payload = TestPackets.Payload(5000);
        const uint sequence = 0xFFFFF000; // wraps inside the burst
        var flags = (byte)(TestPackets.FlagAck | TestPackets.FlagPsh | TestPackets.FlagFin | TestPackets.FlagCwr);
        var super = TestPackets.PartialChecksum(TestPackets.TcpPacket(v6, sequence, flags, payload), v6, TestPackets.Tcp);
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, v6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4, 0, Mss, (ushort)(v6 ? 40 : 20), 16);

        Assert.True(GsoSegmenter.TryPlan(super, header, out var plan));
        Assert.Equal(4, plan.Count);
        var destination = new byte[2048];
        for (var i = 0; i < plan.Count; i++)
        {
            var length = GsoSegmenter.WriteSegment(super, plan, i, destination);
            var chunk = payload.AsSpan(i * Mss, Math.Min(Mss, payload.Length - (i * Mss))).ToArray();
            var expectedFlags = TestPackets.SegmentFlags(i, plan.Count);

            var expected = TestPackets.TcpPacket(v6, sequence + (uint)(i * Mss), expectedFlags, chunk, id: (ushort)(0x1234 + i));
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(destination, 0, length));
            Assert.True(TestPackets.ChecksumsValid(destination.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UdpSuperPacketBecomesDatagramsWithTheirOwnLengthAndChecksum(bool v6)
    {
        var payload = TestPackets.Payload(3000, seed: 3);
        var super = TestPackets.PartialChecksum(TestPackets.UdpPacket(v6, payload), v6, TestPackets.Udp);
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoUdpL4, 0, 1200, (ushort)(v6 ? 40 : 20), 6);

        Assert.True(GsoSegmenter.TryPlan(super, header, out var plan));
        Assert.Equal(3, plan.Count);
        var destination = new byte[2048];
        for (var i = 0; i < plan.Count; i++)
        {
            var length = GsoSegmenter.WriteSegment(super, plan, i, destination);
            var chunk = payload.AsSpan(i * 1200, Math.Min(1200, payload.Length - (i * 1200))).ToArray();
            var expected = TestPackets.UdpPacket(v6, chunk, id: (ushort)(0x4321 + i));
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(destination, 0, length));
        }
    }

    [Theory]
    [InlineData(false, TestPackets.Tcp)]
    [InlineData(true, TestPackets.Tcp)]
    [InlineData(false, TestPackets.Udp)]
    [InlineData(true, TestPackets.Udp)]
    public void PartialChecksumOfASinglePacketIsCompleted(bool v6, byte protocol)
    {
        var complete = protocol == TestPackets.Tcp
            ? TestPackets.TcpPacket(v6, 1, TestPackets.FlagAck, TestPackets.Payload(777))
            : TestPackets.UdpPacket(v6, TestPackets.Payload(777));
        var partial = TestPackets.PartialChecksum(complete, v6, protocol);
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoNone, 0, 0, (ushort)(v6 ? 40 : 20), (ushort)(protocol == TestPackets.Tcp ? 16 : 6));

        Assert.True(GsoSegmenter.TryCompleteChecksum(partial, header));
        Assert.Equal(Convert.ToHexString(complete), Convert.ToHexString(partial));
    }

    [Fact]
    public void MalformedSuperPacketsAreRefused()
    {
        var packet = TestPackets.TcpPacket(false, 1, TestPackets.FlagAck, TestPackets.Payload(3000));
        var tcp4 = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoTcpV4, 0, Mss, 20, 16);
        Assert.False(GsoSegmenter.TryPlan(packet.AsSpan(0, 30), tcp4, out _));
        Assert.False(GsoSegmenter.TryPlan(packet, new VirtioNetHeader(1, VirtioNetHeader.GsoTcpV4, 0, 0, 20, 16), out _));
        Assert.False(GsoSegmenter.TryPlan(packet, new VirtioNetHeader(1, VirtioNetHeader.GsoTcpV6, 0, Mss, 20, 16), out _));
        Assert.False(GsoSegmenter.TryPlan(packet, new VirtioNetHeader(1, VirtioNetHeader.GsoUdp, 0, Mss, 20, 16), out _));
        Assert.False(GsoSegmenter.TryPlan(packet, new VirtioNetHeader(1, VirtioNetHeader.GsoUdpL4, 0, Mss, 20, 6), out _));
        var garbage = (byte[])packet.Clone();
        garbage[0] = 0x15;
        Assert.False(GsoSegmenter.TryPlan(garbage, tcp4, out _));
        var header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoNone, 0, 0, 3040, 16);
        Assert.False(GsoSegmenter.TryCompleteChecksum(packet, header));
    }

    [Fact]
    public void EcnBitIsIgnoredForThePlan()
    {
        var packet = TestPackets.PartialChecksum(TestPackets.TcpPacket(false, 1, TestPackets.FlagAck, TestPackets.Payload(3000)), false, TestPackets.Tcp);
        var header = new VirtioNetHeader(1, VirtioNetHeader.GsoTcpV4 | VirtioNetHeader.GsoEcn, 0, Mss, 20, 16);
        Assert.True(GsoSegmenter.TryPlan(packet, header, out var plan));
        Assert.Equal(3, plan.Count);
        Assert.Equal(20 + 32 + (3000 - (2 * Mss)), plan.SegmentLength(2));
    }

    [Fact]
    public void SegmentingAllocatesNothing()
    {
        var super = TestPackets.PartialChecksum(TestPackets.TcpPacket(false, 1, TestPackets.FlagAck, TestPackets.Payload(60000)), false, TestPackets.Tcp);
        var header = new VirtioNetHeader(1, VirtioNetHeader.GsoTcpV4, 0, Mss, 20, 16);
        var destination = new byte[2048];
        Run();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void Run()
        {
            Assert.True(GsoSegmenter.TryPlan(super, header, out var plan));
            for (var i = 0; i < plan.Count; i++)
            {
                _ = GsoSegmenter.WriteSegment(super, plan, i, destination);
            }

            _ = BinaryPrimitives.ReadUInt16BigEndian(destination);
        }
    }
}
