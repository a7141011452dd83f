using System.Runtime.CompilerServices;
using Anytun.Engine.Protocol;

namespace Anytun.Engine.Runtime;

/// <summary>Packet/byte/drop counters written by the engine threads (Interlocked) and read by snapshots.</summary>
internal sealed class TrafficCounters
{
    private static readonly int ReasonCount = Enum.GetValues<DropReason>().Length;

    private readonly long[] _drops = new long[ReasonCount];

    // Separate objects so the sender's and the receivers' hot counters do not share a cache line.
    private readonly Direction _in = new();
    private readonly Direction _out = new();

    public long PacketsIn => Interlocked.Read(ref _in.Packets);

    public long BytesIn => Interlocked.Read(ref _in.Bytes);

    public long PacketsOut => Interlocked.Read(ref _out.Packets);

    public long BytesOut => Interlocked.Read(ref _out.Bytes);

    [MethodImpl(PacketPath.Hot)]
    public void CountIn(int bytes)
    {
        Interlocked.Increment(ref _in.Packets);
        Interlocked.Add(ref _in.Bytes, bytes);
    }

    [MethodImpl(PacketPath.Hot)]
    public void CountOut(int bytes)
    {
        Interlocked.Increment(ref _out.Packets);
        Interlocked.Add(ref _out.Bytes, bytes);
    }

    /// <summary>Counts a batch of sent packets at once.</summary>
    [MethodImpl(PacketPath.Hot)]
    public void CountOut(int packets, long bytes)
    {
        Interlocked.Add(ref _out.Packets, packets);
        Interlocked.Add(ref _out.Bytes, bytes);
    }

    /// <summary>Takes back packets counted out before the send that then failed (counting first keeps a reader that
    /// already saw the peer's answer from seeing the request uncounted).</summary>
    public void RevokeOut(int packets, long bytes)
    {
        Interlocked.Add(ref _out.Packets, -packets);
        Interlocked.Add(ref _out.Bytes, -bytes);
    }

    /// <summary>Takes back a packet counted in before the device write that then failed.</summary>
    public void RevokeIn(int bytes)
    {
        Interlocked.Decrement(ref _in.Packets);
        Interlocked.Add(ref _in.Bytes, -bytes);
    }

    /// <summary>Counts several drops of one reason at once.</summary>
    public void CountDrops(DropReason reason, int count) => Interlocked.Add(ref _drops[(int)reason], count);

    public void CountDrop(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);

    public long Drops(DropReason reason) => Interlocked.Read(ref _drops[(int)reason]);

    public DropCounters SnapshotDrops()
    {
        var copy = new long[_drops.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Interlocked.Read(ref _drops[i]);
        }

        return new DropCounters(copy);
    }

    private sealed class Direction
    {
        public long Packets;
        public long Bytes;
    }
}
