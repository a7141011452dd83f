using System.Runtime.CompilerServices;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Anytun.Engine.Interop;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Transport;

/// <summary>
/// Receives from one UDP socket with recvmsg. With UDP_GRO on, the kernel hands over a run of equal-sized datagrams from
/// one sender in one call (the last may be shorter) and says the size in a control message; each is still one SATP packet.
/// Single thread; no allocation per call.
/// </summary>
internal sealed unsafe class UdpGroReceiver
{
    private readonly Socket _socket;
    private readonly byte[] _control = GC.AllocateArray<byte>(64, pinned: true);

    /// <param name="socket">The bound socket (owned by the transport).</param>
    /// <param name="useGro">Ask for UDP_GRO; when the kernel refuses, every call returns single datagrams.</param>
    public UdpGroReceiver(Socket socket, bool useGro)
    {
        _socket = socket;
        if (useGro)
        {
            GroRefusal = TryEnableGro(socket);
            GroEnabled = GroRefusal == 0;
        }
    }

    /// <summary>What <see cref="Receive"/> returns when the socket had nothing and the device the
    /// <see cref="Anticipation"/> watches (single-thread mode) has a packet waiting.</summary>
    public const int DeviceReadable = int.MinValue;

    /// <summary>What <see cref="Receive"/> returns when its single-thread wait timed out with nothing on the socket or
    /// the device (only with an idle timeout other than -1).</summary>
    public const int IdleTimeout = int.MinValue + 1;

    public bool GroEnabled { get; }

    /// <summary>When set, waits go through it so a sender can have this receiver awake for an expected answer.</summary>
    public ReplyAnticipation? Anticipation { get; set; }

    /// <summary>errno of the refused setsockopt(UDP_GRO), else 0.</summary>
    public int GroRefusal { get; }

    /// <summary>
    /// Blocks for the next datagram(s) into the pinned <paramref name="buffer"/>. Returns the byte count and sets
    /// <paramref name="segmentSize"/> (the datagram size; equal to the count when not coalesced) and the sender in
    /// <paramref name="source"/>; or returns -errno, <see cref="DeviceReadable"/>, or <see cref="IdleTimeout"/> when a
    /// single-thread wait found nothing within <paramref name="idleTimeoutMilliseconds"/> (-1: wait until something comes).
    /// Throws ObjectDisposedException once the socket is closed.
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    public int Receive(Span<byte> buffer, SocketAddress source, int idleTimeoutMilliseconds, out int segmentSize)
    {
        segmentSize = 0;
        var added = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref added);
            var fd = (int)_socket.SafeHandle.DangerousGetHandle();
            fixed (byte* data = buffer)
            fixed (byte* name = source.Buffer.Span)
            fixed (byte* control = _control)
            {
                SocketMessages.IoVec vector;
                vector.Base = data;
                vector.Length = (nuint)buffer.Length;
                SocketMessages.MessageHeader message = default;
                message.Name = name;
                message.Vectors = &vector;
                message.VectorCount = 1;

                // Single-thread mode: poll() first, it says which source has something (a receive that would only
                // say EAGAIN before every sleep is one system call per packet more than a select() loop makes).
                var waitFirst = Anticipation?.Device is not null;
                while (true)
                {
                    if (waitFirst)
                    {
                        waitFirst = false;
                        if (Anticipation!.Interrupted || _socket.SafeHandle.IsClosed)
                        {
                            return -Libc.EBADF;
                        }

                        var outcome = Anticipation.Wait(fd, idleTimeoutMilliseconds);
                        if (outcome == WaitOutcome.Device)
                        {
                            return DeviceReadable;
                        }

                        if (outcome == WaitOutcome.TimedOut)
                        {
                            return IdleTimeout;
                        }
                    }

                    message.NameLength = (uint)source.Buffer.Length;
                    message.Control = control;
                    message.ControlLength = (nuint)_control.Length;
                    message.Flags = 0;
                    var count = Anticipation is null
                        ? SocketMessages.ReceiveMessage(fd, &message, 0)
                        : ReceiveWithoutWaiting(fd, &message);
                    if (count >= 0)
                    {
                        source.Size = (int)message.NameLength;
                        segmentSize = ReadSegmentSize(&message, (int)count);
                        return (int)count;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    if (errno == Libc.EAGAIN)
                    {
                        if (Anticipation?.Interrupted == true || _socket.SafeHandle.IsClosed)
                        {
                            // The tunnel is stopping (the socket's close waits until this call lets go of it).
                            return -Libc.EBADF;
                        }

                        // A non-blocking receive: wait for data (closing the socket ends the wait).
                        if (Anticipation is not null)
                        {
                            waitFirst = true;
                            continue;
                        }

                        var poll = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
                        _ = Libc.Poll(&poll, 1, -1);
                        continue;
                    }

                    return -errno;
                }
            }
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// recvmsg(MSG_DONTWAIT) (the socket itself blocks, so sends wait for buffer space, but a receive must return EAGAIN
    /// so this thread can wait in poll() on the socket and its other sources together). Without the GC transition; any
    /// error but EAGAIN is asked again the ordinary way for its exact errno, which the caller reads.
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    private static nint ReceiveWithoutWaiting(int fd, SocketMessages.MessageHeader* message)
    {
        var count = SocketMessages.ReceiveMessageNonBlocking(fd, message, SocketMessages.MSG_DONTWAIT);
        if (count >= 0)
        {
            return count;
        }

        if (Marshal.GetLastSystemError() == Libc.EAGAIN)
        {
            Marshal.SetLastPInvokeError(Libc.EAGAIN);
            return -1;
        }

        return SocketMessages.ReceiveMessage(fd, message, SocketMessages.MSG_DONTWAIT);
    }

    [MethodImpl(PacketPath.Hot)]
    private static int ReadSegmentSize(SocketMessages.MessageHeader* message, int count)
    {
        if (message->ControlLength >= (nuint)sizeof(SocketMessages.ControlHeader))
        {
            var offset = 0;
            var control = (byte*)message->Control;
            while (offset + sizeof(SocketMessages.ControlHeader) <= (int)message->ControlLength)
            {
                var header = (SocketMessages.ControlHeader*)(control + offset);
                if (header->Length < (nuint)sizeof(SocketMessages.ControlHeader))
                {
                    break;
                }

                if (header->Level == SocketMessages.SOL_UDP && header->Type == SocketMessages.UDP_GRO)
                {
                    var size = *(int*)(header + 1);
                    return size > 0 && size < count ? size : count;
                }

                offset += (int)((header->Length + 7) & ~(nuint)7);
            }
        }

        return count;
    }

    private static int TryEnableGro(Socket socket)
    {
        var added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            var one = 1;
            if (SocketMessages.SetSocketOption((int)socket.SafeHandle.DangerousGetHandle(), SocketMessages.SOL_UDP, SocketMessages.UDP_GRO, &one, sizeof(int)) == 0)
            {
                return 0;
            }

            return Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Text for a -errno returned by <see cref="Receive"/>.</summary>
    public static SocketError ToSocketError(int negativeErrno) => -negativeErrno switch
    {
        111 => SocketError.ConnectionRefused,
        104 => SocketError.ConnectionReset,
        113 => SocketError.HostUnreachable,
        101 => SocketError.NetworkUnreachable,
        105 => SocketError.NoBufferSpaceAvailable,
        Libc.EMSGSIZE => SocketError.MessageSize,
        Libc.EBADF => SocketError.OperationAborted,
        _ => SocketError.SocketError,
    };

    /// <summary>Test hook: the address family of the socket.</summary>
    internal AddressFamily Family => _socket.AddressFamily;

    /// <summary>Test hook.</summary>
    internal EndPoint? LocalEndPoint => _socket.LocalEndPoint;
}
