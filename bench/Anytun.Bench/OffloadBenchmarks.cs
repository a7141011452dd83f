using System.Buffers.Binary;
using Anytun.Engine.Device;
using BenchmarkDotNet.Attributes;

namespace Anytun.Bench;

/// <summary>
/// The engine's share of the tun offloads per 64 KiB TSO super-packet (MSS 1348, 49 segments): cutting it into packets
/// with fresh IP/TCP checksums (sender), and merging the segments back into one super-packet (receiver, including the
/// checksum check of every segment). Plus the raw ones'-complement sum over 1400 and 65000 bytes.
/// </summary>
[MemoryDiagnoser]
public class OffloadBenchmarks
{
    private const int Mss = 1348;
    private readonly byte[] _destination = new byte[2048];
    private byte[] _super = null!;
    private byte[][] _segments = null!;
    private VirtioNetHeader _header;
    private TcpCoalescer _coalescer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var payloadLength = 49 * Mss;
        _super = new byte[52 + payloadLength];
        _super[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(_super.AsSpan(2), (ushort)_super.Length);
        _super[6] = 0x40;
        _super[8] = 64;
        _super[9] = 6;
        _super.AsSpan(12, 8).Fill(10);
        _super[32] = 8 << 4;
        _super[33] = 0x10;
        new Random(1).NextBytes(_super.AsSpan(52));
        _header = new VirtioNetHeader(VirtioNetHeader.FlagNeedsChecksum, VirtioNetHeader.GsoTcpV4, 52, Mss, 20, 16);
        GsoSegmenter.TryPlan(_super, _header, out var plan);
        _segments = new byte[plan.Count][];
        for (var i = 0; i < plan.Count; i++)
        {
            var length = GsoSegmenter.WriteSegment(_super, plan, i, _destination);
            _segments[i] = _destination.AsSpan(0, length).ToArray();
        }

        _coalescer = new TcpCoalescer();
    }

    /// <summary>Sender: one TSO super-packet into 49 checksummed segments.</summary>
    [Benchmark]
    public int SegmentTso64K()
    {
        GsoSegmenter.TryPlan(_super, _header, out var plan);
        var total = 0;
        for (var i = 0; i < plan.Count; i++)
        {
            total += GsoSegmenter.WriteSegment(_super, plan, i, _destination);
        }

        return total;
    }

    /// <summary>Receiver: 49 segments verified and merged into one super-packet (one tun write instead of 49).</summary>
    [Benchmark]
    public int Coalesce49Segments()
    {
        var segments = _segments;
        for (var i = 0; i < segments.Length; i++)
        {
            if (_coalescer.Offer(segments[i]) == CoalesceResult.FlushFirst)
            {
                _ = _coalescer.TakePending();
                _ = _coalescer.Offer(segments[i]);
            }
        }

        return _coalescer.TakePending().Length;
    }

    [Benchmark]
    public uint Checksum1400() => InternetChecksum.Sum(_super.AsSpan(0, 1400));

    [Benchmark]
    public uint Checksum65000() => InternetChecksum.Sum(_super.AsSpan(0, 65000));
}
