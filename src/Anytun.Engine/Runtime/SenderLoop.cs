using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Anytun.Engine.Interop;
using Anytun.Engine.Logging;
using Anytun.Engine.Protocol;
using Anytun.Engine.Transport;

namespace Anytun.Engine.Runtime;

/// <summary>
/// The device reader thread: read an inner packet → pick the connection → encode in place → send.
/// With tun offloads a read may be a TSO/USO super-packet, which is cut into MTU-sized packets first (one SATP datagram
/// each, as a peer without offloads sends them). With batching, every packet already waiting on the device is read before
/// the datagrams go out in one sendmsg (UDP GSO) or sendmmsg; the batch is flushed as soon as the device is empty, so a lone
/// packet (ping) waits for nothing. Allocates nothing per packet.
/// </summary>
internal sealed class SenderLoop
{
    /// <summary>Room for any tun/tap MTU up to 2018 bytes plus header and tag (the path without batching).</summary>
    private const int BufferSize = 2048;

    /// <summary>A TSO/USO super-packet is at most 64 KiB plus the virtio header.</summary>
    private const int ReadBufferSize = 65536 + VirtioNetHeader.Size + 64;

    private readonly EngineContext _context;
    private readonly SatpEncoder _encoder;
    private readonly DropLogLimiter _dropLog;
    private readonly UdpBatchSender? _batch;
    private readonly int _innerCapacity;
    private readonly object _gate = new();
    private byte[] _single = Array.Empty<byte>();
    private byte[] _read = Array.Empty<byte>();
    private volatile LinuxTunDevice? _tun;
    private Connection? _batchConnection;
    private long _batchBytes;
    private long _allocatedBytes;
    private long _processed;
    private long _noSocketCount;
    private long _sendErrorCount;
    private bool _gsoRefusalLogged;

    public SenderLoop(EngineContext context)
    {
        _context = context;
        _encoder = context.Suite.CreateEncoder();
        _dropLog = context.DropLog.CreateLimiter(DropDirection.Send);
        _innerCapacity = BufferSize - SatpPacket.InnerOffset - SatpPacket.MaxTagSize;
        if (context.Offloads.Batch)
        {
            _batch = new UdpBatchSender(context.Offloads.UdpGso);
        }
    }

    /// <summary>Thread-allocated bytes after the last packet (allocation tests read this).</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>Packets read from the device so far (a super-packet counts once).</summary>
    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>Test hook: the batch sender, when batching is on.</summary>
    internal UdpBatchSender? Batch => _batch;

    public void Run() => EngineThread.Run(_context, RunCore, _encoder);

    /// <summary>The receivers to wake after a send under light traffic (set by the tunnel before the threads start).</summary>
    internal ReceiverLoop[] Receivers { get; set; } = Array.Empty<ReceiverLoop>();

    // Fully optimised from the start: this method is entered once and loops for the tunnel's life, so tier-0 code with
    // on-stack replacement (which allocates once, at an unpredictable moment) would be the only code it ever runs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunCore()
    {
        _single = GC.AllocateArray<byte>(BufferSize, pinned: true);
        var device = _context.Device;
        var tun = device as LinuxTunDevice;
        var headerSize = _context.DeviceHeaderSize;
        var canBatch = _batch is not null && tun is not null;
        byte[] read;
        int readOffset;
        if (headerSize == 0 && _batch is null)
        {
            // The plain path reads straight behind the SATP header: no copy.
            read = _single;
            readOffset = SatpPacket.InnerOffset;
        }
        else
        {
            read = GC.AllocateArray<byte>(ReadBufferSize, pinned: true);
            readOffset = 0;
        }

        if (canBatch)
        {
            _read = read;
            _tun = tun;
            RunBatched(tun!, headerSize);
            return;
        }

        var readCapacity = headerSize == 0 && _batch is null ? _innerCapacity : read.Length;
        while (!_context.Stopping)
        {
            var span = read.AsSpan(readOffset, readCapacity);
            var length = canBatch && _batch!.Count > 0 ? tun!.ReadAvailable(span) : device.Read(span);
            if (length < 0)
            {
                // Nothing more is waiting: send what was collected before blocking.
                FlushBatch();
                continue;
            }

            if (length == 0)
            {
                FlushBatch();
                return;
            }

            if (headerSize > 0)
            {
                HandleWithHeader(read.AsSpan(0, length), headerSize);
            }
            else
            {
                Emit(read.AsSpan(readOffset, length), default, 0);
            }

            if (!canBatch)
            {
                FlushBatch();
            }

            Interlocked.Increment(ref _processed);
            Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
        }

        FlushBatch();
    }

    /// <summary>
    /// The tun path: under the gate, read and send everything waiting, then release the gate and sleep in poll(). While
    /// this thread sleeps a receiver thread may take the gate and do the same (<see cref="TryDrainFromReceiver"/>): the
    /// answer the kernel queues while a receiver writes a packet (a ping reply) then leaves without waiting for this
    /// thread to wake up.
    /// </summary>
    private void RunBatched(LinuxTunDevice tun, int headerSize)
    {
        while (!_context.Stopping)
        {
            var before = _processed;
            lock (_gate)
            {
                if (!Drain(tun, headerSize, ownThread: true))
                {
                    return;
                }
            }

            if (_processed != before)
            {
                // Something went out and this thread is about to sleep: have the receivers awake for the answer.
                var receivers = Receivers;
                for (var i = 0; i < receivers.Length; i++)
                {
                    receivers[i].AnticipateReply();
                }
            }

            if (!tun.WaitReadable())
            {
                return;
            }
        }
    }

    /// <summary>
    /// Called by a receiver thread right after it wrote to the device: if this loop is asleep, read and send whatever
    /// the kernel queued meanwhile on the receiver's thread (one thread wake-up less per round trip).
    /// </summary>
    public void TryDrainFromReceiver()
    {
        var tun = _tun;
        if (tun is null || !Monitor.TryEnter(_gate))
        {
            return;
        }

        try
        {
            _ = Drain(tun, _context.DeviceHeaderSize, ownThread: false);
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    /// <summary>Reads and sends every packet waiting on the device (caller holds the gate); false once it is closed.</summary>
    private bool Drain(LinuxTunDevice tun, int headerSize, bool ownThread)
    {
        var read = _read;
        while (!_context.Stopping)
        {
            var length = tun.ReadAvailable(read);
            if (length < 0)
            {
                FlushBatch();
                return true;
            }

            if (length == 0)
            {
                FlushBatch();
                return false;
            }

            if (headerSize > 0)
            {
                HandleWithHeader(read.AsSpan(0, length), headerSize);
            }
            else
            {
                Emit(read.AsSpan(0, length), default, 0);
            }

            Interlocked.Increment(ref _processed);
            if (ownThread)
            {
                Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
            }
        }

        FlushBatch();
        return false;
    }

    private void HandleWithHeader(Span<byte> raw, int headerSize)
    {
        if (raw.Length <= headerSize)
        {
            Drop(_context.TunnelCounters, DropReason.Malformed);
            return;
        }

        var header = VirtioNetHeader.Read(raw);
        var packet = raw[headerSize..];
        if (header.GsoKind != VirtioNetHeader.GsoNone)
        {
            if (!GsoSegmenter.TryPlan(packet, header, out var plan) || plan.SegmentLength(0) > _innerCapacity)
            {
                Drop(_context.Connections.Primary?.Counters ?? _context.TunnelCounters, DropReason.Malformed);
                return;
            }

            for (var i = 0; i < plan.Count; i++)
            {
                Emit(packet, plan, i);
            }

            return;
        }

        if (header.NeedsChecksum && !GsoSegmenter.TryCompleteChecksum(packet, header))
        {
            Drop(_context.Connections.Primary?.Counters ?? _context.TunnelCounters, DropReason.Malformed);
            return;
        }

        Emit(packet, default, 0);
    }

    /// <summary>Encodes and queues (or sends) one inner packet: <paramref name="source"/> itself, or segment
    /// <paramref name="segment"/> of <paramref name="plan"/> when the plan has segments.</summary>
    private void Emit(ReadOnlySpan<byte> source, in SegmentPlan plan, int segment)
    {
        var connection = _context.Connections.Primary;
        if (connection is null)
        {
            // No -r resolved yet and nothing learned: anytun drops silently.
            Drop(_context.TunnelCounters, DropReason.NoConnection);
            return;
        }

        var innerLength = plan.Count > 0 ? plan.SegmentLength(segment) : source.Length;
        if (innerLength > _innerCapacity)
        {
            Drop(connection.Counters, DropReason.Malformed);
            return;
        }

        PayloadType type;
        if (_context.DeviceKind == DeviceType.Tap)
        {
            type = PayloadType.Ethernet;
        }
        else
        {
            type = SatpPacket.PayloadTypeForIpPacket(source);
            if (type == PayloadType.Unknown)
            {
                Drop(connection.Counters, DropReason.Malformed);
                return;
            }
        }

        var remote = connection.Remote;
        var socket = _context.Transport.SocketFor(remote.Family);
        if (socket is null)
        {
            connection.Counters.CountDrop(DropReason.NoRoute);
            if (_noSocketCount++ % 10_000 == 0)
            {
                EngineLog.NoSuitableSocket(_context.Logger, remote.Text, _noSocketCount);
            }

            return;
        }

        var datagramLength = SatpPacket.InnerOffset + innerLength + _encoder.TagLength;
        Span<byte> slot;
        if (_batch is not null)
        {
            if (!ReferenceEquals(connection, _batchConnection) || !_batch.CanAppend(datagramLength, socket, remote.Address))
            {
                FlushBatch();
            }

            slot = _batch.NextSlot;
        }
        else
        {
            slot = _single;
        }

        var inner = slot.Slice(SatpPacket.InnerOffset, innerLength);
        if (plan.Count > 0)
        {
            GsoSegmenter.WriteSegment(source, plan, segment, inner);
        }
        else if (!Overlaps(source, inner))
        {
            source.CopyTo(inner);
        }

        var sequence = connection.TakeNextSequence();
        var length = _encoder.Encode(slot, innerLength, type, sequence, _context.SenderId, connection.Mux);
        if (_batch is not null)
        {
            _batch.Append(length, socket, remote.Address);
            _batchConnection = connection;
            _batchBytes += innerLength;
            return;
        }

        SendSingle(socket, slot[..length], remote.Address, connection, innerLength);
    }

    private void SendSingle(Socket socket, ReadOnlySpan<byte> datagram, SocketAddress destination, Connection connection, int innerLength)
    {
        connection.Counters.CountOut(innerLength);
        try
        {
            socket.SendTo(datagram, SocketFlags.None, destination);
        }
        catch (SocketException exception) when (!_context.Stopping)
        {
            connection.Counters.RevokeOut(1, innerLength);
            // anytun ignores send errors (e.g. no route to a multicast group); count them and log rarely.
            connection.Counters.CountDrop(DropReason.SendError);
            if (_sendErrorCount++ % 10_000 == 0)
            {
                EngineLog.TransportError(_context.Logger, "send", exception.SocketErrorCode.ToString(), _sendErrorCount);
            }
        }
    }

    private void FlushBatch()
    {
        var batch = _batch;
        if (batch is null || batch.Count == 0)
        {
            return;
        }

        var connection = _batchConnection!;
        var count = batch.Count;
        connection.Counters.CountOut(count, _batchBytes);
        var averageBytes = _batchBytes / count;
        _batchBytes = 0;
        var failed = batch.Flush();
        if (failed > 0)
        {
            connection.Counters.RevokeOut(failed, failed * averageBytes);
        }

        if (batch.GsoRefusal != 0 && !_gsoRefusalLogged)
        {
            _gsoRefusalLogged = true;
            OffloadLog.Refused(_context.Logger, "UDP_SEGMENT", Libc.ErrorText(batch.GsoRefusal));
        }

        if (failed > 0 && !_context.Stopping && !batch.SocketClosed)
        {
            connection.Counters.CountDrops(DropReason.SendError, failed);
            if (_sendErrorCount++ % 10_000 == 0)
            {
                EngineLog.TransportError(_context.Logger, "send", Libc.ErrorText(batch.LastError), _sendErrorCount);
            }
        }
    }

    private static bool Overlaps(ReadOnlySpan<byte> source, Span<byte> destination) => source.Overlaps(destination);

    private void Drop(TrafficCounters counters, DropReason reason)
    {
        counters.CountDrop(reason);
        _dropLog.Record(reason);
    }
}
