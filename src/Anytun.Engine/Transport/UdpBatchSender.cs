using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Anytun.Engine.Interop;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Transport;

/// <summary>
/// Collects the datagrams the sender thread produces for one destination and sends them with one system call:
/// UDP GSO (sendmsg + UDP_SEGMENT: the kernel cuts one buffer into equal-sized datagrams, each one SATP packet on the wire)
/// or, when GSO is off or refused, sendmmsg. One thread at a time (the sender loop's gate: its own thread, or a receiver
/// draining for it); no allocation after construction.
/// </summary>
internal sealed unsafe class UdpBatchSender
{
    /// <summary>Datagrams per system call (the kernel's UDP_MAX_SEGMENTS is at least 64).</summary>
    public const int MaxDatagrams = 64;

    /// <summary>A GSO send must stay below the 64 KiB UDP/IP length limit.</summary>
    private const int MaxBatchBytes = 60_000;

    /// <summary>Largest single datagram a slot may hold.</summary>
    public const int MaxDatagramSize = 2048;

    private readonly byte[] _buffer = GC.AllocateArray<byte>(MaxBatchBytes + MaxDatagramSize, pinned: true);
    private readonly int[] _offsets = new int[MaxDatagrams];
    private readonly int[] _lengths = new int[MaxDatagrams];
    private readonly SocketMessages.MultiMessageHeader[] _messages = GC.AllocateArray<SocketMessages.MultiMessageHeader>(MaxDatagrams, pinned: true);
    private readonly SocketMessages.IoVec[] _vectors = GC.AllocateArray<SocketMessages.IoVec>(MaxDatagrams, pinned: true);
    private readonly byte[] _control = GC.AllocateArray<byte>(SocketMessages.UShortControlSpace, pinned: true);
    private Socket? _socket;
    private SocketAddress? _destination;
    private int _count;
    private int _used;
    private int _segmentSize;
    private bool _closed;

    /// <param name="useGso">Try UDP GSO first; it switches itself off for good when the kernel refuses it.</param>
    public UdpBatchSender(bool useGso)
    {
        UsesGso = useGso;
    }

    /// <summary>True while GSO is in use (false from the start, or after the kernel refused it once).</summary>
    public bool UsesGso { get; private set; }

    /// <summary>errno of the GSO refusal that switched GSO off, else 0 (the runtime logs it once).</summary>
    public int GsoRefusal { get; private set; }

    /// <summary>Datagrams waiting in the batch.</summary>
    public int Count => _count;

    /// <summary>
    /// Whether a datagram of <paramref name="length"/> bytes to <paramref name="destination"/> can join the batch; when not,
    /// the caller flushes first. With GSO every datagram but the last must have the first one's size.
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    public bool CanAppend(int length, Socket socket, SocketAddress destination)
    {
        if (_count == 0)
        {
            return true;
        }

        if (_count == MaxDatagrams || _used + length > MaxBatchBytes || !ReferenceEquals(socket, _socket) || !ReferenceEquals(destination, _destination))
        {
            return false;
        }

        // A shorter datagram closes a GSO batch, so after one nothing more may join.
        return !UsesGso || (_lengths[_count - 1] == _segmentSize && length <= _segmentSize);
    }

    /// <summary>Room for the next datagram (<see cref="MaxDatagramSize"/> bytes); commit it with <see cref="Append"/>.</summary>
    public Span<byte> NextSlot => _buffer.AsSpan(_used, MaxDatagramSize);

    /// <summary>Adds the datagram just written to <see cref="NextSlot"/>. The caller checked <see cref="CanAppend"/>.</summary>
    [MethodImpl(PacketPath.Hot)]
    public void Append(int length, Socket socket, SocketAddress destination)
    {
        if (_count == 0)
        {
            _socket = socket;
            _destination = destination;
            _segmentSize = length;
        }

        _offsets[_count] = _used;
        _lengths[_count] = length;
        _count++;
        _used += length;
    }

    /// <summary>errno of the last failed send (see <see cref="Flush"/>).</summary>
    public int LastError { get; private set; }

    /// <summary>Sends the batch; returns how many datagrams could not be sent (errno in <see cref="LastError"/>).
    /// The batch is empty after.</summary>
    [MethodImpl(PacketPath.Hot)]
    public int Flush()
    {
        if (_count == 0)
        {
            return 0;
        }

        var socket = _socket!;
        var added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            var fd = (int)socket.SafeHandle.DangerousGetHandle();
            var destination = _destination!;
            fixed (byte* name = destination.Buffer.Span)
            {
                if (UsesGso && _count > 1)
                {
                    var errno = SendSegmented(fd, name, (uint)destination.Size);
                    if (errno == 0)
                    {
                        return 0;
                    }

                    if (!IsGsoRefusal(errno))
                    {
                        LastError = errno;
                        return _count;
                    }

                    UsesGso = false;
                    GsoRefusal = errno;
                }

                return SendEach(fd, name, (uint)destination.Size);
            }
        }
        catch (ObjectDisposedException)
        {
            _closed = true;
            LastError = Libc.EBADF;
            return _count;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }

            _count = 0;
            _used = 0;
            _socket = null;
            _destination = null;
        }
    }

    /// <summary>True once a flush found the socket closed (shutdown).</summary>
    public bool SocketClosed => _closed;

    [MethodImpl(PacketPath.Hot)]
    private int SendSegmented(int fd, byte* name, uint nameLength)
    {
        var control = (SocketMessages.ControlHeader*)Unsafe.AsPointer(ref _control[0]);
        control->Length = (nuint)(sizeof(SocketMessages.ControlHeader) + sizeof(ushort));
        control->Level = SocketMessages.SOL_UDP;
        control->Type = SocketMessages.UDP_SEGMENT;
        *(ushort*)(control + 1) = (ushort)_segmentSize;

        SocketMessages.IoVec vector;
        vector.Base = Unsafe.AsPointer(ref _buffer[0]);
        vector.Length = (nuint)_used;
        SocketMessages.MessageHeader message = default;
        message.Name = name;
        message.NameLength = nameLength;
        message.Vectors = &vector;
        message.VectorCount = 1;
        message.Control = control;
        message.ControlLength = SocketMessages.UShortControlSpace;
        while (true)
        {
            if (SocketMessages.SendMessage(fd, &message, 0) >= 0)
            {
                return 0;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
            {
                return errno;
            }
        }
    }

    [MethodImpl(PacketPath.Hot)]
    private int SendEach(int fd, byte* name, uint nameLength)
    {
        var messages = (SocketMessages.MultiMessageHeader*)Unsafe.AsPointer(ref _messages[0]);
        var vectors = (SocketMessages.IoVec*)Unsafe.AsPointer(ref _vectors[0]);
        var buffer = (byte*)Unsafe.AsPointer(ref _buffer[0]);
        for (var i = 0; i < _count; i++)
        {
            vectors[i].Base = buffer + _offsets[i];
            vectors[i].Length = (nuint)_lengths[i];
            messages[i] = default;
            messages[i].Header.Name = name;
            messages[i].Header.NameLength = nameLength;
            messages[i].Header.Vectors = vectors + i;
            messages[i].Header.VectorCount = 1;
        }

        var done = 0;
        var failed = 0;
        while (done < _count)
        {
            var result = SocketMessages.SendMultipleMessages(fd, messages + done, (uint)(_count - done), 0);
            if (result > 0)
            {
                done += result;
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EINTR)
            {
                continue;
            }

            // The datagram at 'done' failed (e.g. no route): skip it, as anytun ignores send errors, and go on.
            LastError = errno;
            failed++;
            done++;
        }

        return failed;
    }

    /// <summary>errno values meaning "this socket/route cannot do GSO" rather than "this datagram failed".</summary>
    private static bool IsGsoRefusal(int errno) => errno is Libc.EIO or Libc.EINVAL or Libc.ENOPROTOOPT or Libc.EOPNOTSUPP or Libc.EMSGSIZE;

    /// <summary>Test hook: forget GSO as if the kernel had refused it.</summary>
    internal void DisableGso() => UsesGso = false;

    /// <summary>Test hook: the IPv4/IPv6 sockaddr the batch goes to.</summary>
    internal EndPoint? PendingDestination => _destination is null ? null : new IPEndPoint(IPAddress.Any, 0).Create(_destination);
}
