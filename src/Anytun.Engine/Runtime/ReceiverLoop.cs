using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Configuration;
using Anytun.Engine.Logging;
using Anytun.Engine.Protocol;

namespace Anytun.Engine.Runtime;

/// <summary>
/// One receiver thread per socket: recvfrom → authenticate → replay window → roaming → decrypt → type check → device
/// write, in the order of spec §5. Owns its pinned buffer, source address and decoder; allocates nothing per packet
/// (only when a connection is learned or the peer roams).
/// </summary>
internal sealed class ReceiverLoop
{
    /// <summary>Any UDP datagram fits, so nothing is truncated (anytun truncates at 1600 and then fails the tag).</summary>
    private const int BufferSize = 65536;

    private readonly EngineContext _context;
    private readonly Socket _socket;
    private readonly SatpDecoder _decoder;
    private readonly DropLogLimiter _dropLog;
    private readonly int _addressSize;
    private long _allocatedBytes;
    private long _processed;
    private long _socketErrorCount;
    private bool _peerSeen;

    public ReceiverLoop(EngineContext context, Socket socket)
    {
        _context = context;
        _socket = socket;
        _decoder = context.Suite.CreateDecoder();
        _dropLog = new DropLogLimiter(context.Logger, "receive");
        _addressSize = SocketAddress.GetMaximumAddressSize(socket.AddressFamily);
    }

    /// <summary>Thread-allocated bytes after the last datagram (allocation tests read this).</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>Datagrams received so far.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    public void Run() => EngineThread.Run(_context, RunCore, _decoder);

    private void RunCore()
    {
        var buffer = GC.AllocateArray<byte>(BufferSize, pinned: true);
        var source = new SocketAddress(_socket.AddressFamily, _addressSize);
        while (!_context.Stopping)
        {
            int length;
            try
            {
                source.Size = _addressSize;
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, source);
            }
            catch (SocketException exception) when (!_context.Stopping && IsTransient(exception.SocketErrorCode))
            {
                if (_socketErrorCount++ % 10_000 == 0)
                {
                    EngineLog.TransportError(_context.Logger, "receive", exception.SocketErrorCode.ToString(), _socketErrorCount);
                }

                continue;
            }

            Process(buffer.AsSpan(0, length), source);
            Interlocked.Increment(ref _processed);
            Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    private void Process(Span<byte> datagram, SocketAddress source)
    {
        var connections = _context.Connections;
        Connection? connection = null;
        if (datagram.Length >= SatpPacket.HeaderSize)
        {
            connection = connections.Find(SatpPacket.ReadMux(datagram));
        }

        SatpHeader header;
        if (connection is null)
        {
            if (datagram.Length < SatpPacket.HeaderSize + _decoder.TagLength)
            {
                Drop(connections.Primary?.Counters ?? _context.TunnelCounters, DropReason.TooShort);
                return;
            }

            if (!_context.LearnsRemote || !connections.IsEmpty)
            {
                // -r given (maybe not resolved yet) or another mux already learned: an unknown mux.
                Drop(_context.TunnelCounters, connections.IsEmpty ? DropReason.NoConnection : DropReason.WrongMux);
                return;
            }

            // Learn the remote only from a datagram whose tag verifies (stricter than anytun, which learns first).
            var learnReason = _decoder.Authenticate(datagram, out header);
            if (learnReason != DropReason.None)
            {
                Drop(_context.TunnelCounters, learnReason);
                return;
            }

            connection = _context.LearnConnection(header.Mux, RemoteEndpoint.FromSocketAddress(source));
        }
        else
        {
            var reason = _decoder.Authenticate(datagram, out header);
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

        if (!connection.Remote.Matches(source))
        {
            var moved = RemoteEndpoint.FromSocketAddress(source);
            connection.UpdateRemote(moved);
            EngineLog.RemoteChanged(_context.Logger, connection.Mux, moved.Text);
        }

        connection.MarkReceived();
        if (!_peerSeen)
        {
            _peerSeen = true;
            _context.PeerSeen?.Invoke();
        }

        var decryptReason = _decoder.Decrypt(datagram, header, out var type, out var innerLength);
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

        if (!_context.Device.TryWrite(datagram.Slice(SatpPacket.InnerOffset, innerLength)))
        {
            if (!_context.Stopping)
            {
                Drop(connection.Counters, DropReason.DeviceError);
            }

            return;
        }

        connection.Counters.CountIn(innerLength);
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
