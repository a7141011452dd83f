using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Device;
using Anytun.Engine.Interop;
using Anytun.Engine.Logging;
using Anytun.Engine.Protocol;
using Anytun.Engine.Transport;

namespace Anytun.Engine.Runtime;

/// <summary>
/// The device reader thread: read an inner packet → pick the connection (route lookup in routing mode, else the
/// lowest mux) → encode in place with that connection's keys → send. One read/dispatch loop: sleep until the device is
/// readable, then, under the gate, read and send everything waiting (one batch per sendmsg with UDP GSO, or sendmmsg,
/// flushed as soon as the device is empty, so a lone packet waits for nothing). While this thread sleeps, a receiver
/// thread that just wrote to the device may take the gate and send what the kernel queued (<see cref="TryDrainFromReceiver"/>).
/// With tun/tap offloads a read may be a TSO/USO super-packet (on tap an Ethernet frame), cut into MTU-sized packets
/// first (one SATP datagram each).
/// Allocates nothing per packet and takes no lock but its own uncontended gate.
/// </summary>
internal sealed class SenderLoop
{
    /// <summary>Room for any tun/tap MTU up to 2018 bytes plus header and tag (the path without batching).</summary>
    private const int BufferSize = 2048;

    /// <summary>A TSO/USO super-packet is at most 64 KiB plus the virtio header.</summary>
    private const int ReadBufferSize = 65536 + VirtioNetHeader.Size + 64;

    /// <summary>Packets between two quiescent points, and the most a receiver drains for this loop at once.</summary>
    private const int PacketsPerSection = UdpBatchSender.MaxDatagrams;

    private readonly EngineContext _context;
    private readonly QuiescentReclaimer.ThreadSlot _slot;
    private readonly IPollablePacketDevice? _pollable;
    private readonly SatpEncoder _encoder;
    private readonly DropLogLimiter _dropLog;
    private readonly UdpBatchSender? _batch;
    private readonly int _innerCapacity;
    private readonly object _gate = new();
    private byte[] _single = Array.Empty<byte>();
    private byte[] _read = Array.Empty<byte>();
    private int _readOffset;
    private int _readCapacity;
    private volatile bool _receiversMayDrain;
    private bool _closed;
    private Connection? _batchConnection;
    private long _batchBytes;
    private long _allocatedBytes;
    private long _processed;
    private long _datagrams;
    private long _noSocketCount;
    private long _sendErrorCount;
    private bool _gsoRefusalLogged;
    private long _quietWindowStart;
    private long _quietWindowTotal;
    private int _quietWindows;

    public SenderLoop(EngineContext context, QuiescentReclaimer.ThreadSlot slot)
    {
        _context = context;
        _slot = slot;
        _pollable = context.Device as IPollablePacketDevice;
        _encoder = new SatpEncoder(context.Algorithms);
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

    /// <summary>Datagrams encoded so far (each segment of a super-packet counts): the load the mode switch weighs.</summary>
    public long Datagrams => Volatile.Read(ref _datagrams);

    /// <summary>Test hook: the batch sender, when batching is on.</summary>
    internal UdpBatchSender? Batch => _batch;

    /// <summary>Test hook: the encoder this loop (and receivers draining for it) encrypts with.</summary>
    internal SatpEncoder Encoder => _encoder;

    /// <summary>The receivers, one of which carries the device in single-thread mode (set before the threads start).</summary>
    internal ReceiverLoop[] Receivers { get; set; } = Array.Empty<ReceiverLoop>();

    public void Run() => EngineThread.Run(_context, _slot, RunCore, Close);

    /// <summary>
    /// Called by a receiver thread right after it wrote to the device: if this loop is asleep, read and send up to one
    /// batch of what the kernel queued meanwhile, on the receiver's thread (one thread wake-up less per round trip).
    /// The receiver is inside its own quiescent section. Does nothing once this loop has ended.
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    public void TryDrainFromReceiver()
    {
        if (!_receiversMayDrain || !Monitor.TryEnter(_gate))
        {
            return;
        }

        try
        {
            if (!_closed && !_context.Stopping)
            {
                _ = DispatchAvailable(-1, ownThread: false);
            }
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    /// <summary>
    /// Single-thread mode: the carrier (a receiver thread inside its own quiescent section) reads and sends the packet
    /// waiting on the device, if any. One packet per call, sent at once: the carrier's poll() says when more is waiting,
    /// so no read ends in EAGAIN. Returns the datagrams sent (0 when the sender thread has the gate right now).
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    public int DrainForCarrier()
    {
        if (!Monitor.TryEnter(_gate))
        {
            return 0;
        }

        try
        {
            if (_closed || _context.Stopping)
            {
                return 0;
            }

            var before = _datagrams;
            _ = DispatchAvailable(-1, ownThread: false, limit: 1);
            _encoder.ForgetRetiredKeys();
            return (int)(_datagrams - before);
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    // Fully optimised from the start: this method is entered once and loops for the tunnel's life, so tier-0 code with
    // on-stack replacement (which allocates once, at an unpredictable moment) would be the only code it ever runs.
    [MethodImpl(PacketPath.Hot)]
    private void RunCore()
    {
        _single = GC.AllocateArray<byte>(BufferSize, pinned: true);
        if (_context.DeviceHeaderSize == 0 && _batch is null)
        {
            // Without batching or a virtio header the packet is read straight behind the SATP header: no copy.
            _read = _single;
            _readOffset = SatpPacket.InnerOffset;
            _readCapacity = _innerCapacity;
        }
        else
        {
            _read = GC.AllocateArray<byte>(ReadBufferSize, pinned: true);
            _readOffset = 0;
            _readCapacity = _read.Length;
        }

        _receiversMayDrain = _batch is not null && _pollable is not null;
        var modes = _context.LoadMode;
        _quietWindowStart = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!_context.Stopping)
        {
            if (modes is not null && modes.Carrier is not null)
            {
                // Single-thread mode: a receiver waits on the device; sleep until it hands the device back.
                modes.WaitForPipeline(_context);
                _quietWindows = 0;
                _quietWindowStart = System.Diagnostics.Stopwatch.GetTimestamp();
                _quietWindowTotal = TotalDatagrams();
                continue;
            }

            // Sleep outside the gate, so a receiver can drain meanwhile.
            var first = -1;
            if (_pollable is not null)
            {
                var ready = _pollable.WaitReadable(modes is null ? -1 : LoadModeSwitch.WindowMilliseconds);
                if (ready == 0)
                {
                    return;
                }

                if (ready < 0)
                {
                    ConsiderSingleThread(modes!);
                    continue;
                }
            }
            else
            {
                first = _context.Device.Read(_read.AsSpan(_readOffset, _readCapacity));
                if (first == 0)
                {
                    return;
                }
            }

            lock (_gate)
            {
                if (_closed || !DispatchAvailable(first, ownThread: true))
                {
                    return;
                }
            }

            if (modes is not null)
            {
                ConsiderSingleThread(modes);
            }
        }
    }

    /// <summary>Pipeline mode, once per window: after <see cref="LoadModeSwitch.QuietWindows"/> quiet windows in a row
    /// (every loop's packets counted), hand the device to a receiver.</summary>
    [MethodImpl(PacketPath.Hot)]
    private void ConsiderSingleThread(LoadModeSwitch modes)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var elapsed = now - _quietWindowStart;
        if (elapsed < LoadModeSwitch.WindowTicks)
        {
            return;
        }

        var windows = elapsed / LoadModeSwitch.WindowTicks;
        var total = TotalDatagrams();
        var quiet = total - _quietWindowTotal < LoadModeSwitch.SingleBelow * windows;
        _quietWindows = quiet ? _quietWindows + (int)Math.Min(windows, LoadModeSwitch.QuietWindows) : 0;
        _quietWindowStart = now;
        _quietWindowTotal = total;
        if (_quietWindows < LoadModeSwitch.QuietWindows)
        {
            return;
        }

        var carrier = ChooseCarrier();
        if (carrier is not null)
        {
            modes.EnterSingle(carrier);
        }
    }

    /// <summary>The receiver of the socket the first connection's peer is reached through (the first one when unknown),
    /// if it can wait on the device.</summary>
    private ReceiverLoop? ChooseCarrier()
    {
        var receivers = Receivers;
        var family = _context.Connections.Primary?.Remote?.Family;
        ReceiverLoop? chosen = null;
        for (var i = 0; i < receivers.Length; i++)
        {
            if (!receivers[i].CanCarry)
            {
                continue;
            }

            if (receivers[i].Family == family)
            {
                return receivers[i];
            }

            chosen ??= receivers[i];
        }

        return chosen;
    }

    /// <summary>Datagrams both ways: encoded here plus received by every receiver.</summary>
    private long TotalDatagrams()
    {
        var total = Datagrams;
        var receivers = Receivers;
        for (var i = 0; i < receivers.Length; i++)
        {
            total += receivers[i].Processed;
        }

        return total;
    }

    /// <summary>
    /// Sends <paramref name="first"/> (a packet already read, or -1) and every packet waiting on a pollable device, or
    /// at most <paramref name="limit"/> (the caller holds the gate). This thread passes a quiescent point every
    /// <see cref="PacketsPerSection"/> packets; a receiver sends one section at most. False once the device is closed.
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    private bool DispatchAvailable(int first, bool ownThread, int limit = int.MaxValue)
    {
        if (ownThread)
        {
            _slot.Enter();
        }

        try
        {
            var inSection = 0;
            if (first > 0)
            {
                Dispatch(first, ownThread);
                inSection++;
            }

            while (_pollable is not null && !_context.Stopping)
            {
                if (inSection == PacketsPerSection)
                {
                    if (!ownThread)
                    {
                        break;
                    }

                    // Batched datagrams hold no key reference (they are encrypted already): no flush needed here.
                    _slot.Leave();
                    _slot.Enter();
                    inSection = 0;
                }

                var length = _pollable.ReadAvailable(_read.AsSpan(_readOffset, _readCapacity));
                if (length < 0)
                {
                    break;
                }

                if (length == 0)
                {
                    FlushBatch();
                    return false;
                }

                Dispatch(length, ownThread);
                inSection++;
                if (--limit == 0)
                {
                    break;
                }
            }

            // Nothing more is waiting (or a receiver's share is done): send what was collected.
            FlushBatch();
            return !_context.Stopping;
        }
        finally
        {
            if (ownThread)
            {
                _slot.Leave();
                _encoder.ForgetRetiredKeys();
            }
        }
    }

    [MethodImpl(PacketPath.Hot)]
    private void Dispatch(int length, bool ownThread)
    {
        var headerSize = _context.DeviceHeaderSize;
        if (headerSize > 0)
        {
            HandleWithHeader(_read.AsSpan(0, length), headerSize);
        }
        else
        {
            Send(_read.AsSpan(_readOffset, length), default);
        }

        Interlocked.Increment(ref _processed);
        if (ownThread)
        {
            Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    [MethodImpl(PacketPath.Hot)]
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
            if (!GsoSegmenter.TryPlan(packet, header, _context.DeviceKind == DeviceType.Tap, out var plan) || plan.SegmentLength(0) > _innerCapacity)
            {
                Drop(_context.TunnelCounters, DropReason.Malformed);
                return;
            }

            Send(packet, plan);
            return;
        }

        if (header.NeedsChecksum && !GsoSegmenter.TryCompleteChecksum(packet, header))
        {
            Drop(_context.TunnelCounters, DropReason.Malformed);
            return;
        }

        Send(packet, default);
    }

    /// <summary>Picks the connection for <paramref name="source"/> (a packet, or a super-packet whose segments all go the
    /// same way) and encodes and queues or sends it, segment by segment when <paramref name="plan"/> has segments.</summary>
    [MethodImpl(PacketPath.Hot)]
    private void Send(ReadOnlySpan<byte> source, in SegmentPlan plan)
    {
        var connection = ChooseConnection(source);
        if (connection is null)
        {
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
        if (remote is null)
        {
            // A host name not resolved yet, or a connection whose peer has not sent anything: anytun drops silently.
            Drop(connection.Counters, DropReason.NoRemote);
            return;
        }

        if (_context.DeviceKind == DeviceType.Tun && remote.IsDestinationOf(source))
        {
            DropRoutingLoop(connection, remote);
            return;
        }

        var socket = _context.Transport.SocketFor(remote.Family);
        if (socket is null)
        {
            connection.Counters.CountDrop(DropReason.NoSocket);
            if (_noSocketCount++ % 10_000 == 0)
            {
                EngineLog.NoSuitableSocket(_context.Logger, remote.Text, _noSocketCount);
            }

            return;
        }

        // One keys object for every segment of this packet, read once (a re-key swaps the reference meanwhile).
        var keys = connection.Keys;
        var segments = plan.Count > 0 ? plan.Count : 1;
        for (var segment = 0; segment < segments; segment++)
        {
            var innerLength = plan.Count > 0 ? plan.SegmentLength(segment) : source.Length;
            if (innerLength > _innerCapacity)
            {
                Drop(connection.Counters, DropReason.Malformed);
                return;
            }

            Encode(source, plan, segment, innerLength, type, connection, keys, remote, socket);
        }
    }

    /// <summary>Routing mode: the longest matching route's connection; otherwise anytun's first connection (lowest mux).</summary>
    [MethodImpl(PacketPath.Hot)]
    private Connection? ChooseConnection(ReadOnlySpan<byte> packet)
    {
        var control = _context.Control;
        Connection? connection;
        if (control.RoutingEnabled)
        {
            if (!control.Routes.TryLookup(packet, out var mux))
            {
                Drop(_context.TunnelCounters, DropReason.NoRoute);
                return null;
            }

            connection = control.Connections.Find(mux);
        }
        else
        {
            connection = control.Connections.Primary;
        }

        if (connection is null)
        {
            // No -r resolved yet and nothing learned, or a route to a mux without a connection: anytun drops silently.
            Drop(_context.TunnelCounters, DropReason.NoConnection);
        }

        return connection;
    }

    [MethodImpl(PacketPath.Hot)]
    private void Encode(
        ReadOnlySpan<byte> source,
        in SegmentPlan plan,
        int segment,
        int innerLength,
        PayloadType type,
        Connection connection,
        ConnectionKeys keys,
        RemoteEndpoint remote,
        Socket socket)
    {
        var datagramLength = SatpPacket.InnerOffset + innerLength + _encoder.TagLength;
        Span<byte> slot;
        if (_batch is not null)
        {
            // A batch goes to one destination: another connection (or a roamed remote) starts a new one.
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
        else if (!source.Overlaps(inner))
        {
            source.CopyTo(inner);
        }

        var sequence = connection.TakeNextSequence();
        var length = _encoder.Encode(slot, innerLength, type, sequence, _context.SenderId, connection.Mux, keys);
        // Every writer holds the gate; the sender thread reads it for the mode switch.
        Volatile.Write(ref _datagrams, _datagrams + 1);
        if (_batch is not null)
        {
            _batch.Append(length, socket, remote.Address);
            _batchConnection = connection;
            _batchBytes += innerLength;
            return;
        }

        SendSingle(socket, slot[..length], remote, connection, innerLength);
    }

    [MethodImpl(PacketPath.Hot)]
    private void SendSingle(Socket socket, ReadOnlySpan<byte> datagram, RemoteEndpoint remote, Connection connection, int innerLength)
    {
        connection.Counters.CountOut(innerLength);
        try
        {
            socket.SendTo(datagram, SocketFlags.None, remote.Address);
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

    [MethodImpl(PacketPath.Hot)]
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

    private void DropRoutingLoop(Connection connection, RemoteEndpoint remote)
    {
        Drop(connection.Counters, DropReason.RoutingLoop);
        if (connection.TryClaimRoutingLoopWarning())
        {
            ControlLog.RoutingLoop(_context.Logger, connection.Mux, remote.Text);
        }
    }

    /// <summary>The thread's end: under the gate, so no receiver is draining through the encoder while it is zeroed, and
    /// none starts afterwards.</summary>
    private void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _receiversMayDrain = false;
            _encoder.Dispose();
        }
    }

    private void Drop(TrafficCounters counters, DropReason reason)
    {
        counters.CountDrop(reason);
        _dropLog.Record(reason);
    }
}
