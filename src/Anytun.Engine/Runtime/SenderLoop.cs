using System.Net.Sockets;
using Anytun.Engine.Configuration;
using Anytun.Engine.Logging;
using Anytun.Engine.Protocol;

namespace Anytun.Engine.Runtime;

/// <summary>
/// The device reader thread: read an inner packet → pick the connection → encode in place → sendto.
/// Owns one pinned buffer with headroom for the SATP header and tailroom for the tag; allocates nothing per packet.
/// </summary>
internal sealed class SenderLoop
{
    /// <summary>Room for any tun/tap MTU up to 2018 bytes plus header and tag.</summary>
    private const int BufferSize = 2048;

    private readonly EngineContext _context;
    private readonly SatpEncoder _encoder;
    private readonly DropLogLimiter _dropLog;
    private long _allocatedBytes;
    private long _processed;
    private long _noSocketCount;
    private long _sendErrorCount;

    public SenderLoop(EngineContext context)
    {
        _context = context;
        _encoder = context.Suite.CreateEncoder();
        _dropLog = new DropLogLimiter(context.Logger, "send");
    }

    /// <summary>Thread-allocated bytes after the last packet (allocation tests read this).</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>Packets read from the device so far.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    public void Run() => EngineThread.Run(_context, RunCore, _encoder);

    private void RunCore()
    {
        var buffer = GC.AllocateArray<byte>(BufferSize, pinned: true);
        var device = _context.Device;
        var connections = _context.Connections;
        var transport = _context.Transport;
        var isTap = _context.DeviceKind == DeviceType.Tap;
        var senderId = _context.SenderId;
        var innerCapacity = BufferSize - SatpPacket.InnerOffset - SatpPacket.MaxTagSize;

        while (!_context.Stopping)
        {
            var innerLength = device.Read(buffer.AsSpan(SatpPacket.InnerOffset, innerCapacity));
            if (innerLength <= 0)
            {
                return;
            }

            Send(buffer, innerLength, connections.Primary, transport, isTap, senderId);
            Interlocked.Increment(ref _processed);
            Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    private void Send(byte[] buffer, int innerLength, Connection? connection, Transport.UdpTransport transport, bool isTap, ushort senderId)
    {
        if (connection is null)
        {
            // No -r resolved yet and nothing learned: anytun drops silently.
            Drop(_context.TunnelCounters, DropReason.NoConnection);
            return;
        }

        PayloadType type;
        if (isTap)
        {
            type = PayloadType.Ethernet;
        }
        else
        {
            type = SatpPacket.PayloadTypeForIpPacket(buffer.AsSpan(SatpPacket.InnerOffset, innerLength));
            if (type == PayloadType.Unknown)
            {
                Drop(connection.Counters, DropReason.Malformed);
                return;
            }
        }

        var remote = connection.Remote;
        var socket = transport.SocketFor(remote.Family);
        if (socket is null)
        {
            connection.Counters.CountDrop(DropReason.NoRoute);
            if (_noSocketCount++ % 10_000 == 0)
            {
                EngineLog.NoSuitableSocket(_context.Logger, remote.Text, _noSocketCount);
            }

            return;
        }

        var sequence = connection.TakeNextSequence();
        var length = _encoder.Encode(buffer, innerLength, type, sequence, senderId, connection.Mux);
        try
        {
            socket.SendTo(buffer.AsSpan(0, length), SocketFlags.None, remote.Address);
            connection.Counters.CountOut(innerLength);
        }
        catch (SocketException exception) when (!_context.Stopping)
        {
            // anytun ignores send errors (e.g. no route to a multicast group); count them and log rarely.
            connection.Counters.CountDrop(DropReason.SendError);
            if (_sendErrorCount++ % 10_000 == 0)
            {
                EngineLog.TransportError(_context.Logger, "send", exception.SocketErrorCode.ToString(), _sendErrorCount);
            }
        }
    }

    private void Drop(TrafficCounters counters, DropReason reason)
    {
        counters.CountDrop(reason);
        _dropLog.Record(reason);
    }
}
