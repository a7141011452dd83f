using Anytun.Engine.Configuration;

namespace Anytun.Engine.Device;

/// <summary>
/// In-memory <see cref="IPacketDevice"/> for tests and benchmarks: <see cref="Inject"/> plays the kernel sending a packet
/// into the tunnel, <see cref="TryTakeWritten"/> returns what the tunnel delivered. No allocation per packet.
/// </summary>
public sealed class ChannelPacketDevice : IPacketDevice, IPollablePacketDevice
{
    private const int SlotSize = 2048;
    private readonly PacketRing _toTunnel;
    private readonly PacketRing _fromTunnel;
    private long _written;
    private long _writeDrops;
    private long _emptyReads;
    private int _disposed;

    public ChannelPacketDevice(string name = "fake0", DeviceType kind = DeviceType.Tun, int mtu = 1500, int capacity = 1024)
    {
        Name = name;
        Kind = kind;
        Mtu = mtu;
        _toTunnel = new PacketRing(capacity, SlotSize, pollable: true);
        _fromTunnel = new PacketRing(capacity, SlotSize);
    }

    public string Name { get; }

    public DeviceType Kind { get; }

    public int Mtu { get; }

    /// <summary>Packets the tunnel wrote to this device so far.</summary>
    public long WrittenCount => Interlocked.Read(ref _written);

    /// <summary>Packets the tunnel wrote while the delivered queue was full (discarded).</summary>
    public long WriteDrops => Interlocked.Read(ref _writeDrops);

    /// <summary>Non-blocking reads that found nothing (what EAGAIN is for a real tun device).</summary>
    public long EmptyReads => Interlocked.Read(ref _emptyReads);

    /// <summary>Plays a kernel that answers during the write (as it does a ping to the tunnel's own address): each
    /// packet the tunnel writes is queued back for it to read before the write returns.</summary>
    public bool AnswerEachWrite { get; set; }

    /// <summary>Queues a packet for the tunnel to read; false if the queue is full or the device is closed.</summary>
    public bool Inject(ReadOnlySpan<byte> packet) => _toTunnel.TryAdd(packet);

    /// <summary>Waits up to <paramref name="timeout"/> for a packet the tunnel wrote.</summary>
    public bool TryTakeWritten(TimeSpan timeout, out byte[] packet)
    {
        var buffer = new byte[SlotSize];
        var length = _fromTunnel.Take(buffer, (int)timeout.TotalMilliseconds);
        if (length < 0)
        {
            packet = Array.Empty<byte>();
            return false;
        }

        packet = buffer.AsSpan(0, length).ToArray();
        return true;
    }

    /// <summary>Discards everything the tunnel wrote so far (counts stay).</summary>
    public void DrainWritten()
    {
        Span<byte> scratch = stackalloc byte[SlotSize];
        while (_fromTunnel.Take(scratch, 0) >= 0)
        {
        }
    }

    public int Read(Span<byte> buffer)
    {
        var length = _toTunnel.Take(buffer, Timeout.Infinite);
        return length < 0 ? 0 : length;
    }

    int IPollablePacketDevice.ReadAvailable(Span<byte> buffer)
    {
        var length = _toTunnel.TryTake(buffer);
        if (length == -1)
        {
            Interlocked.Increment(ref _emptyReads);
        }

        return length == -2 ? 0 : length;
    }

    bool IPollablePacketDevice.WaitReadable() => _toTunnel.WaitNotEmpty();

    int IPollablePacketDevice.WaitReadable(int timeoutMilliseconds) => _toTunnel.WaitNotEmpty(timeoutMilliseconds);

    /// <summary>An eventfd counting the packets waiting to be read (what the kernel's tun fd is for a real device).</summary>
    System.Runtime.InteropServices.SafeHandle? IPollablePacketDevice.Readiness => _toTunnel.Readiness;

    public void Write(ReadOnlySpan<byte> packet)
    {
        if (!TryWrite(packet))
        {
            throw new IOException($"device {Name} is closed or its queue is full");
        }
    }

    public bool TryWrite(ReadOnlySpan<byte> packet)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        Interlocked.Increment(ref _written);
        if (!_fromTunnel.TryAdd(packet))
        {
            Interlocked.Increment(ref _writeDrops);
        }

        if (AnswerEachWrite)
        {
            _ = _toTunnel.TryAdd(packet);
        }

        return true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _toTunnel.Close();
            _fromTunnel.Close();
        }
    }
}
