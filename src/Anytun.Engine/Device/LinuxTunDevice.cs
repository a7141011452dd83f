using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Anytun.Engine.Configuration;
using Anytun.Engine.Interop;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Device;

/// <summary>
/// A Linux tun (IFF_TUN) or tap (IFF_TAP) interface opened through /dev/net/tun, always without the packet-information header.
/// The fd is non-blocking; Read waits in poll() on the device fd and an eventfd, so <see cref="Dispose"/> wakes a blocked reader.
/// </summary>
public sealed unsafe class LinuxTunDevice : IPacketDevice, IPollablePacketDevice
{
    public const string DeviceNode = "/dev/net/tun";
    private const int MaxNameLength = 15;
    private const int IfReqSize = 40;
    private const short IFF_TUN = 0x0001;
    private const short IFF_TAP = 0x0002;
    private const short IFF_NO_PI = 0x1000;
    private const short IFF_VNET_HDR = 0x4000;
    private const nuint TUNSETIFF = 0x400454ca;
    private const nuint TUNSETOFFLOAD = 0x400454d0;
    private const nuint SIOCGIFMTU = 0x8921;

    private readonly FileDescriptorHandle _device;
    private readonly FileDescriptorHandle _wakeup;
    private int _disposed;

    private LinuxTunDevice(FileDescriptorHandle device, FileDescriptorHandle wakeup, string name, DeviceType kind, int mtu, TunOffloads offloads)
    {
        Offloads = offloads;
        _device = device;
        _wakeup = wakeup;
        Name = name;
        Kind = kind;
        Mtu = mtu;
    }

    public string Name { get; }

    public DeviceType Kind { get; }

    public int Mtu { get; internal set; }

    /// <summary>Offloads the kernel accepted; when not <see cref="TunOffloads.None"/> every packet read or written starts with a
    /// <see cref="VirtioNetHeader"/> (<see cref="VirtioHeaderSize"/> bytes).</summary>
    internal TunOffloads Offloads { get; }

    /// <summary>0, or the virtio_net_hdr size in front of every packet read and written.</summary>
    internal int VirtioHeaderSize => Offloads == TunOffloads.None ? 0 : VirtioNetHeader.Size;

    /// <summary>
    /// Creates (or attaches to) the interface. An empty or null name lets the kernel pick tunN/tapN.
    /// The device lives in the network namespace of the calling thread.
    /// </summary>
    /// <exception cref="AnytunException">DeviceOpenFailed or PermissionDenied.</exception>
    public static LinuxTunDevice Open(string? requestedName, DeviceType kind) => Open(requestedName, kind, TunOffloads.None);

    /// <summary>
    /// Like <see cref="Open(string?, DeviceType)"/>, and asks for IFF_VNET_HDR with the <paramref name="wanted"/>
    /// offloads (TSO/USO super-packets, partial checksums; on tap the packets are Ethernet frames). Whatever the kernel refuses is dropped; check <see cref="Offloads"/>.
    /// </summary>
    internal static LinuxTunDevice Open(string? requestedName, DeviceType kind, TunOffloads wanted)
    {
        var target = string.IsNullOrEmpty(requestedName) ? DeviceNode : requestedName;
        if (requestedName is not null && Encoding.UTF8.GetByteCount(requestedName) > MaxNameLength)
        {
            throw new AnytunException(
                AnytunErrorCode.InvalidOption,
                $"device name '{requestedName}' is longer than {MaxNameLength} bytes",
                "-d/--dev");
        }

        var fd = Libc.Open(DeviceNode, Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_NONBLOCK);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw OpenError(errno, $"cannot open {DeviceNode}", target);
        }

        var device = new FileDescriptorHandle(fd);
        try
        {
            var ifreq = stackalloc byte[IfReqSize];
            new Span<byte>(ifreq, IfReqSize).Clear();
            if (!string.IsNullOrEmpty(requestedName))
            {
                Encoding.UTF8.GetBytes(requestedName, new Span<byte>(ifreq, MaxNameLength));
            }

            var baseFlags = (short)((kind == DeviceType.Tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI);
            // tap takes the same virtio header and offloads as tun; its super-packets are Ethernet frames.
            var withHeader = wanted != TunOffloads.None;
            *(short*)(ifreq + 16) = withHeader ? (short)(baseFlags | IFF_VNET_HDR) : baseFlags;
            var result = Libc.Ioctl(fd, TUNSETIFF, ifreq);
            if (result < 0 && withHeader)
            {
                // A kernel without virtio headers on tun/tap: the plain device still works.
                withHeader = false;
                *(short*)(ifreq + 16) = baseFlags;
                result = Libc.Ioctl(fd, TUNSETIFF, ifreq);
            }

            if (result < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw OpenError(errno, $"cannot create {(kind == DeviceType.Tap ? "tap" : "tun")} device '{requestedName}'", target);
            }

            var actualName = Marshal.PtrToStringUTF8((nint)ifreq) ?? string.Empty;
            var mtu = ReadMtu(ifreq);

            var eventFd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
            if (eventFd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new AnytunException(AnytunErrorCode.DeviceOpenFailed, $"eventfd failed: {Libc.ErrorText(errno)}", actualName);
            }

            var offloads = withHeader ? NegotiateOffloads(fd, wanted) : TunOffloads.None;
            return new LinuxTunDevice(device, new FileDescriptorHandle(eventFd), actualName, kind, mtu, offloads);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>Blocks until a packet arrives (with the virtio header in front when <see cref="VirtioHeaderSize"/> is not 0).</summary>
    public int Read(Span<byte> buffer) => ReadCore(buffer, wait: true);

    /// <summary>Reads a packet if one is waiting: its length, 0 once closed, -1 when none is waiting (never blocks).</summary>
    [MethodImpl(PacketPath.Hot)]
    internal int ReadAvailable(Span<byte> buffer) => ReadCore(buffer, wait: false);

    /// <summary>Sleeps until a packet is waiting (true) or the device is closed (false).</summary>
    internal bool WaitReadable() => WaitReadable(-1) > 0;

    /// <summary>Sleeps until a packet is waiting (1), the device is closed (0) or <paramref name="timeoutMilliseconds"/>
    /// passed (-1; a negative timeout waits forever).</summary>
    [MethodImpl(PacketPath.Hot)]
    internal int WaitReadable(int timeoutMilliseconds)
    {
        if (!TryAddRef(_device))
        {
            return 0;
        }

        var wakeupAdded = false;
        try
        {
            _wakeup.DangerousAddRef(ref wakeupAdded);
            var fds = stackalloc Libc.PollFd[2];
            while (Volatile.Read(ref _disposed) == 0)
            {
                fds[0] = new Libc.PollFd { Fd = _device.Fd, Events = Libc.POLLIN };
                fds[1] = new Libc.PollFd { Fd = _wakeup.Fd, Events = Libc.POLLIN };
                var ready = Libc.Poll(fds, 2, timeoutMilliseconds);
                if (ready < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Libc.EINTR)
                    {
                        throw new IOException($"poll on {Name} failed: {Libc.ErrorText(errno)}");
                    }

                    continue;
                }

                if (ready == 0)
                {
                    return -1;
                }

                if (fds[1].Revents != 0)
                {
                    return 0;
                }

                if ((fds[0].Revents & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0 && (fds[0].Revents & Libc.POLLIN) == 0)
                {
                    throw DeviceGone(fds[0].Revents);
                }

                return 1;
            }

            return 0;
        }
        finally
        {
            if (wakeupAdded)
            {
                _wakeup.DangerousRelease();
            }

            _device.DangerousRelease();
        }
    }

    [MethodImpl(PacketPath.Hot)]
    int IPollablePacketDevice.ReadAvailable(Span<byte> buffer) => ReadAvailable(buffer);

    bool IPollablePacketDevice.WaitReadable() => WaitReadable();

    int IPollablePacketDevice.WaitReadable(int timeoutMilliseconds) => WaitReadable(timeoutMilliseconds);

    /// <summary>The device fd itself: it polls readable while the kernel has a packet queued.</summary>
    SafeHandle? IPollablePacketDevice.Readiness => _device;

    [MethodImpl(PacketPath.Hot)]
    private int ReadCore(Span<byte> buffer, bool wait)
    {
        if (!TryAddRef(_device))
        {
            return 0;
        }

        var wakeupAdded = false;
        try
        {
            _wakeup.DangerousAddRef(ref wakeupAdded);
            var fds = stackalloc Libc.PollFd[2];
            fixed (byte* destination = buffer)
            {
                while (Volatile.Read(ref _disposed) == 0)
                {
                    // The fd is non-blocking: under load read() succeeds at once and poll() is skipped (one syscall per packet).
                    var count = Libc.ReadNonBlocking(_device.Fd, destination, (nuint)buffer.Length);
                    if (count >= 0)
                    {
                        return (int)count;
                    }

                    var errno = Marshal.GetLastSystemError();
                    if (errno != Libc.EAGAIN)
                    {
                        // Rare: read again the ordinary way, whose errno is exact.
                        count = Libc.Read(_device.Fd, destination, (nuint)buffer.Length);
                        if (count >= 0)
                        {
                            return (int)count;
                        }

                        errno = Marshal.GetLastPInvokeError();
                    }

                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    if (errno == Libc.EBADFD)
                    {
                        // The kernel detaches the file from a device that was deleted (ip link del).
                        throw DeviceGone(0);
                    }

                    if (errno != Libc.EAGAIN)
                    {
                        throw new IOException($"read from {Name} failed: {Libc.ErrorText(errno)}");
                    }

                    if (!wait)
                    {
                        return -1;
                    }

                    fds[0] = new Libc.PollFd { Fd = _device.Fd, Events = Libc.POLLIN };
                    fds[1] = new Libc.PollFd { Fd = _wakeup.Fd, Events = Libc.POLLIN };
                    if (Libc.Poll(fds, 2, -1) < 0)
                    {
                        errno = Marshal.GetLastPInvokeError();
                        if (errno != Libc.EINTR)
                        {
                            throw new IOException($"poll on {Name} failed: {Libc.ErrorText(errno)}");
                        }

                        continue;
                    }

                    if (fds[1].Revents != 0)
                    {
                        return 0;
                    }

                    if ((fds[0].Revents & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0 && (fds[0].Revents & Libc.POLLIN) == 0)
                    {
                        throw DeviceGone(fds[0].Revents);
                    }
                }

                return 0;
            }
        }
        finally
        {
            if (wakeupAdded)
            {
                _wakeup.DangerousRelease();
            }

            _device.DangerousRelease();
        }
    }

    public void Write(ReadOnlySpan<byte> packet)
    {
        var errno = TryWriteCore(packet);
        if (errno != 0)
        {
            throw new IOException($"write to {Name} failed: {Libc.ErrorText(errno)}");
        }
    }

    [MethodImpl(PacketPath.Hot)]
    public bool TryWrite(ReadOnlySpan<byte> packet) => TryWriteCore(packet) == 0;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Wake a reader blocked in poll(); the handles close once it has released its reference.
        if (TryAddRef(_wakeup))
        {
            try
            {
                ulong one = 1;
                _ = Libc.Write(_wakeup.Fd, (byte*)&one, sizeof(ulong));
            }
            finally
            {
                _wakeup.DangerousRelease();
            }
        }

        _device.Dispose();
        _wakeup.Dispose();
    }

    public override string ToString() => $"{Name} ({Kind})";

    [MethodImpl(PacketPath.Hot)]
    private int TryWriteCore(ReadOnlySpan<byte> packet)
    {
        if (!TryAddRef(_device))
        {
            return Libc.EBADF;
        }

        try
        {
            fixed (byte* source = packet)
            {
                while (true)
                {
                    var written = Libc.WriteNonBlocking(_device.Fd, source, (nuint)packet.Length);
                    if (written == packet.Length)
                    {
                        return 0;
                    }

                    if (written < 0)
                    {
                        // Rare: write again the ordinary way, whose errno is exact.
                        written = Libc.Write(_device.Fd, source, (nuint)packet.Length);
                        if (written == packet.Length)
                        {
                            return 0;
                        }
                    }

                    if (written >= 0)
                    {
                        return Libc.EIO;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Libc.EINTR)
                    {
                        return errno;
                    }
                }
            }
        }
        finally
        {
            _device.DangerousRelease();
        }
    }

    [MethodImpl(PacketPath.Hot)]
    private static bool TryAddRef(SafeHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return added;
    }

    private static TunOffloads NegotiateOffloads(int fd, TunOffloads wanted)
    {
        // Older kernels reject the USO bits with EINVAL: retry with TSO and checksums only, then checksums only,
        // then none (the virtio header stays, every packet then arrives complete).
        TunOffloads[] attempts = [wanted, wanted & ~TunOffloads.Uso, wanted & TunOffloads.Checksum, TunOffloads.None];
        foreach (var attempt in attempts)
        {
            if (Libc.Ioctl(fd, TUNSETOFFLOAD, (void*)(nuint)(uint)attempt) == 0)
            {
                return attempt == TunOffloads.None ? TunOffloads.HeaderOnly : attempt;
            }
        }

        return TunOffloads.HeaderOnly;
    }

    private static int ReadMtu(byte* ifreqWithName)
    {
        // SIOCGIFMTU on any AF_INET socket of the same namespace; 1500 when it cannot be read.
        var socket = Libc.Socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (socket < 0)
        {
            return 1500;
        }

        try
        {
            var request = stackalloc byte[IfReqSize];
            new Span<byte>(ifreqWithName, 16).CopyTo(new Span<byte>(request, 16));
            new Span<byte>(request + 16, IfReqSize - 16).Clear();
            return Libc.Ioctl(socket, SIOCGIFMTU, request) == 0 ? *(int*)(request + 16) : 1500;
        }
        finally
        {
            _ = Libc.Close(socket);
        }
    }

    /// <summary>POLLERR/POLLHUP on a tun fd (or EBADFD) means the interface was deleted under the tunnel.</summary>
    private IOException DeviceGone(short revents) => (revents & Libc.POLLNVAL) != 0
        ? new IOException($"device '{Name}' is no longer open")
        : new IOException($"device '{Name}' was deleted");

    private static AnytunException OpenError(int errno, string what, string target) => errno switch
    {
        Libc.ENOENT or Libc.ENODEV => new AnytunException(
            AnytunErrorCode.DeviceOpenFailed,
            $"{what}: {Libc.ErrorText(errno)} (is the tun module loaded and {DeviceNode} present?)",
            target),
        Libc.EPERM or Libc.EACCES => new AnytunException(
            AnytunErrorCode.PermissionDenied,
            $"{what}: {Libc.ErrorText(errno)}; run as root or grant CAP_NET_ADMIN",
            target),
        Libc.EBUSY or Libc.EEXIST => new AnytunException(
            AnytunErrorCode.DeviceInUse,
            $"{what}: the device name '{target}' is in use by another program",
            target),
        Libc.EINVAL => new AnytunException(
            AnytunErrorCode.DeviceOpenFailed,
            $"{what}: a device named '{target}' exists with another type (tun/tap) or is not a tun/tap device",
            target),
        _ => new AnytunException(AnytunErrorCode.DeviceOpenFailed, $"{what}: {Libc.ErrorText(errno)}", target),
    };
}
