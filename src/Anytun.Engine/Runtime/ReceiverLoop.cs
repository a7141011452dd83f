using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Control;
using Anytun.Engine.Device;
using Anytun.Engine.Logging;
using Anytun.Engine.Protocol;
using Anytun.Engine.Transport;

namespace Anytun.Engine.Runtime;

/// <summary>
/// One receiver thread per socket: recvfrom → find the connection by the header's mux (one array read) → authenticate
/// with that connection's keys → replay window → roaming → decrypt → type check → device write, in the order of spec §5.
/// Owns its pinned buffer, source address and decoder (per-thread scratch; the keys are per connection); allocates
/// nothing per packet (only when a connection is learned or the peer roams). Datagrams that belong to no connection
/// are counted on the tunnel.
/// </summary>
internal sealed class ReceiverLoop
{
    /// <summary>Any UDP datagram fits, so nothing is truncated (anytun truncates at 1600 and then fails the tag).</summary>
    private const int BufferSize = 65536;

    private readonly EngineContext _context;
    private readonly QuiescentReclaimer.ThreadSlot _slot;
    private readonly Socket _socket;
    private readonly SatpDecoder _decoder;
    private readonly DropLogLimiter _dropLog;
    private readonly int _addressSize;
    private long _allocatedBytes;
    private long _processed;
    private long _socketErrorCount;
    private bool _peerSeen;
    private const byte UdpProtocol = 17;
    private TcpCoalescer? _coalescer;
    private UdpCoalescer? _udpCoalescer;
    private int _linkLength;
    private Connection? _pendingConnection;
    private ReplyAnticipation? _anticipation;
    private readonly SafeHandle? _readiness;
    private long _carryWindowStart;
    private long _carryWindowPackets;
    private KeepWarm? _keepWarm;
    private readonly AnswerPrediction _answers = new();

    public ReceiverLoop(EngineContext context, Socket socket, QuiescentReclaimer.ThreadSlot slot)
    {
        _context = context;
        _slot = slot;
        _socket = socket;
        _decoder = new SatpDecoder(context.Algorithms);
        _dropLog = context.DropLog.CreateLimiter(DropDirection.Receive);
        _addressSize = SocketAddress.GetMaximumAddressSize(socket.AddressFamily);
        _readiness = (context.Device as IPollablePacketDevice)?.Readiness;
    }

    /// <summary>Whether this receiver can wait on the device as well (single-thread mode): the device has a readiness
    /// descriptor and this thread's wait has a wake-up eventfd.</summary>
    public bool CanCarry => _readiness is not null && Volatile.Read(ref _anticipation) is not null;

    /// <summary>The address family of this receiver's socket.</summary>
    public AddressFamily Family => _socket.AddressFamily;

    /// <summary>Shutdown: a receiver waiting in poll() wakes and ends.</summary>
    public void Interrupt() => Volatile.Read(ref _anticipation)?.Interrupt();

    /// <summary>Single-thread mode begins: this thread adds the device to its wait (called by the sender thread).</summary>
    public void WakeToCarry()
    {
        var anticipation = Volatile.Read(ref _anticipation);
        if (anticipation is not null)
        {
            anticipation.Device = _readiness;
        }
    }

    /// <summary>Thread-allocated bytes after the last datagram (allocation tests read this).</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>The carrier's keep-warm rounds so far (tests); 0 when this receiver does not keep warm.</summary>
    public long KeepWarmTicks => Volatile.Read(ref _keepWarm)?.Ticks ?? 0;

    /// <summary>Datagrams received so far.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    public void Run() => EngineThread.Run(_context, _slot, RunCore, _decoder.Dispose);

    // Fully optimised from the start: this method is entered once and loops for the tunnel's life, so tier-0 code with
    // on-stack replacement (which allocates once, at an unpredictable moment) would be the only code it ever runs.
    [MethodImpl(PacketPath.Hot)]
    private void RunCore()
    {
        var buffer = GC.AllocateArray<byte>(BufferSize, pinned: true);
        var source = new SocketAddress(_socket.AddressFamily, _addressSize);
        var receiver = new UdpGroReceiver(_socket, _context.Offloads.UdpGro);
        using var anticipation = ReplyAnticipation.TryCreate();
        receiver.Anticipation = anticipation;
        Volatile.Write(ref _anticipation, anticipation);
        var keepWarm = _context.KeepsWarm && CanCarry ? new KeepWarm() : null;
        Volatile.Write(ref _keepWarm, keepWarm);
        if (_context.DeviceHeaderSize > 0 && _context.Offloads.Coalesce && receiver.GroEnabled)
        {
            // On tap the packets are Ethernet frames: the coalescers look behind (and compare) the 14-byte header.
            var ethernet = _context.DeviceKind == DeviceType.Tap;
            _linkLength = ethernet ? EthernetFrame.HeaderLength : 0;
            _coalescer = new TcpCoalescer(ethernet);
            if (_context.Device is LinuxTunDevice tun && (tun.Offloads & TunOffloads.Uso) == TunOffloads.Uso)
            {
                // Writing UDP_L4 super-packets needs a kernel that knows USO (the same kernels accept TUN_F_USO*).
                _udpCoalescer = new UdpCoalescer(ethernet);
            }
        }

        if (_context.Offloads.UdpGro && !receiver.GroEnabled)
        {
            OffloadLog.Refused(_context.Logger, "UDP_GRO", Interop.Libc.ErrorText(receiver.GroRefusal));
        }

        while (!_context.Stopping)
        {
            source.Size = _addressSize;
            var length = receiver.Receive(buffer, source, keepWarm?.WaitTimeout ?? -1, out var segmentSize);
            if (length == UdpGroReceiver.DeviceReadable)
            {
                // Single-thread mode: the device has a packet and the socket nothing. Send it from this thread.
                keepWarm?.Traffic();
                _slot.Enter();
                _ = CarryFromDevice();
                _slot.Leave();
                Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
                continue;
            }

            if (length == UdpGroReceiver.IdleTimeout)
            {
                // Single-thread mode, warm: a millisecond without a packet; wait again.
                keepWarm!.Tick();
                Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
                continue;
            }

            if (length < 0)
            {
                var error = UdpGroReceiver.ToSocketError(length);
                if (_context.Stopping || !IsTransient(error))
                {
                    throw new SocketException((int)error);
                }

                if (_socketErrorCount++ % 10_000 == 0)
                {
                    EngineLog.TransportError(_context.Logger, "receive", error.ToString(), _socketErrorCount);
                }

                continue;
            }

            if (length == 0 && _context.Stopping)
            {
                return;
            }

            // Connections and keys are used only inside this section; the thread leaves it before it blocks again.
            keepWarm?.Traffic();
            _slot.Enter();

            // With UDP_GRO one receive may hold a run of datagrams of segmentSize bytes (the last may be shorter).
            var offset = 0;
            var datagrams = 0;
            do
            {
                var datagramLength = Math.Min(segmentSize, length - offset);
                Process(buffer.AsSpan(offset, datagramLength), source);
                offset += datagramLength;
                datagrams++;
                Interlocked.Increment(ref _processed);
            }
            while (offset < length && segmentSize > 0);

            // Nothing else is waiting in this receive: hand the merged segments to the kernel now.
            WritePending();

            // What was just written may have made the kernel queue an answer (ping, TCP ACK): send it from here, in
            // single-thread mode while such answers come (see AnswerPrediction), else if the sender thread is
            // asleep, instead of waiting for it to wake up.
            if (anticipation?.Device is not null)
            {
                CountCarried(datagrams);
                if (_answers.ExpectsAnswer())
                {
                    _answers.Record(CarryFromDevice() > 0);
                }
            }
            else if (_context.Offloads.Batch)
            {
                _context.Sender?.TryDrainFromReceiver();
            }

            _slot.Leave();
            _decoder.ForgetRetiredKeys();
            Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    /// <summary>Single-thread mode (inside this thread's quiescent section): send what waits on the device. No spinning
    /// for the answer afterwards: on two cores a spinning carrier at each end starves the application that answers.</summary>
    [MethodImpl(PacketPath.Hot)]
    private int CarryFromDevice()
    {
        var sent = _context.Sender?.DrainForCarrier() ?? 0;
        if (sent > 0)
        {
            CountCarried(sent);
        }

        return sent;
    }

    /// <summary>Single-thread mode: when the last <see cref="LoadModeSwitch.PipelineAbove"/> datagrams (both ways) came
    /// within two windows, give the device back to the sender thread (the two threads then work in parallel). The clock
    /// is read once per that many datagrams, not per wake-up.</summary>
    [MethodImpl(PacketPath.Hot)]
    private void CountCarried(int datagrams)
    {
        _carryWindowPackets += datagrams;
        if (_carryWindowPackets <= LoadModeSwitch.PipelineAbove)
        {
            return;
        }

        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (now - _carryWindowStart < 2 * LoadModeSwitch.WindowTicks)
        {
            _anticipation!.Device = null;
            _context.LoadMode!.EnterPipeline();
        }

        _carryWindowStart = now;
        _carryWindowPackets = 0;
    }

    [MethodImpl(PacketPath.Hot)]
    private void Process(Span<byte> datagram, SocketAddress source)
    {
        if (datagram.Length < SatpPacket.HeaderSize)
        {
            // Not even a mux: belongs to no connection.
            Drop(_context.TunnelCounters, DropReason.TooShort);
            return;
        }

        var control = _context.Control;
        var connection = control.Connections.Find(SatpPacket.ReadMux(datagram));
        ConnectionKeys keys;
        SatpHeader header;
        if (connection is null)
        {
            if (datagram.Length < SatpPacket.HeaderSize + _decoder.TagLength)
            {
                Drop(_context.TunnelCounters, DropReason.TooShort);
                return;
            }

            if (!_context.LearnsRemote || !control.Connections.IsEmpty)
            {
                // -r given (maybe not resolved yet) or connections exist: an unknown mux.
                Drop(_context.TunnelCounters, control.Connections.IsEmpty ? DropReason.NoConnection : DropReason.WrongMux);
                return;
            }

            // Learn the remote only from a datagram whose tag verifies with the command line's keys (stricter than
            // anytun, which learns first).
            keys = control.DefaultKeys;
            var learnReason = _decoder.Authenticate(datagram, keys, out header);
            if (learnReason != DropReason.None)
            {
                Drop(_context.TunnelCounters, learnReason);
                return;
            }

            connection = control.LearnConnection(header.Mux, source);
        }
        else
        {
            // One keys object for the whole datagram: a re-key swaps the reference, never the contents.
            keys = connection.Keys;
            var reason = _decoder.Authenticate(datagram, keys, out header);
            if (reason != DropReason.None)
            {
                Drop(connection.Counters, reason);
                return;
            }
        }

        if (!connection.TryAcceptSequence(header.SenderId, header.Sequence))
        {
            Drop(connection.Counters, DropReason.Replay);
            return;
        }

        // Roaming guard: a new source takes over the remote only with a sequence number above every one seen from that
        // sender, so replayed datagrams from elsewhere never move it (anytun moves it on any accepted datagram).
        var newest = connection.Roaming.Observe(header.SenderId, header.Sequence);
        var remote = connection.Remote;
        if (remote is null)
        {
            control.MoveRemote(connection, source, RemoteChangeReason.Learned);
        }
        else if (!remote.Matches(source))
        {
            if (newest)
            {
                control.MoveRemote(connection, source, RemoteChangeReason.Roamed);
            }
            else
            {
                connection.CountRefusedRoam();
            }
        }

        connection.MarkReceived();
        if (!_peerSeen)
        {
            _peerSeen = true;
            _context.PeerSeen?.Invoke();
        }

        var decryptReason = _decoder.Decrypt(datagram, header, keys, out var type, out var innerLength);
        if (decryptReason != DropReason.None)
        {
            Drop(connection.Counters, decryptReason);
            return;
        }

        var fits = _context.DeviceKind == DeviceType.Tap
            ? type == PayloadType.Ethernet
            : type is PayloadType.IPv4 or PayloadType.IPv6;
        if (!fits)
        {
            Drop(connection.Counters, DropReason.WrongPayloadType);
            return;
        }

        var headerSize = _context.DeviceHeaderSize;
        if (_coalescer is not null)
        {
            var inner = datagram.Slice(SatpPacket.InnerOffset, innerLength);
            var isUdp = _udpCoalescer is not null && TransportProtocol(inner, _linkLength) == UdpProtocol;
            var result = isUdp ? _udpCoalescer!.Offer(inner) : _coalescer.Offer(inner);
            if (result == CoalesceResult.FlushFirst)
            {
                WritePending();
                result = isUdp ? _udpCoalescer!.Offer(inner) : _coalescer.Offer(inner);
            }

            if (result == CoalesceResult.Held)
            {
                _pendingConnection = connection;
                connection.Counters.CountIn(innerLength);
                return;
            }

            WritePending();
        }

        // With tun/tap offloads the device wants a virtio header in front: an all-zero one (a complete, ordinary packet)
        // fits exactly where the SATP header and payload type were.
        if (headerSize > 0)
        {
            datagram.Slice(SatpPacket.InnerOffset - headerSize, headerSize).Clear();
        }

        // Counted before the write: whoever reads the packet from the device must already see it counted.
        connection.Counters.CountIn(innerLength);
        if (!_context.Device.TryWrite(datagram.Slice(SatpPacket.InnerOffset - headerSize, headerSize + innerLength)))
        {
            connection.Counters.RevokeIn(innerLength);
            if (!_context.Stopping)
            {
                Drop(connection.Counters, DropReason.DeviceError);
            }
        }
    }

    /// <summary>Writes the coalesced super-packets, if any, with one device write each.</summary>
    [MethodImpl(PacketPath.Hot)]
    private void WritePending()
    {
        if (_coalescer is null)
        {
            return;
        }

        if (_coalescer.PendingSegments > 0)
        {
            WriteSuperPacket(_coalescer.PendingSegments, _coalescer.TakePending());
        }

        if (_udpCoalescer is not null && _udpCoalescer.PendingSegments > 0)
        {
            WriteSuperPacket(_udpCoalescer.PendingSegments, _udpCoalescer.TakePending());
        }
    }

    [MethodImpl(PacketPath.Hot)]
    private void WriteSuperPacket(int segments, ReadOnlySpan<byte> packet)
    {
        if (!_context.Device.TryWrite(packet) && !_context.Stopping && _pendingConnection is not null)
        {
            _pendingConnection.Counters.CountDrops(DropReason.DeviceError, segments);
            _dropLog.Record(DropReason.DeviceError, segments);
        }
    }

    /// <summary>IPv4 protocol / IPv6 next header of an inner IP packet behind <paramref name="linkLength"/> bytes of
    /// Ethernet header (0 when too short).</summary>
    [MethodImpl(PacketPath.Hot)]
    private static byte TransportProtocol(ReadOnlySpan<byte> packet, int linkLength)
    {
        if (packet.Length < linkLength + 40)
        {
            return 0;
        }

        var ip = packet[linkLength..];
        return (ip[0] >> 4) == 6 ? ip[6] : ip[9];
    }

    private void Drop(TrafficCounters counters, DropReason reason)
    {
        counters.CountDrop(reason);
        _dropLog.Record(reason);
    }

    private static bool IsTransient(SocketError error) => error is SocketError.ConnectionReset
        or SocketError.ConnectionRefused
        or SocketError.MessageSize
        or SocketError.HostUnreachable
        or SocketError.NetworkUnreachable
        or SocketError.NoBufferSpaceAvailable
        or SocketError.Interrupted;
}
