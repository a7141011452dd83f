using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Interop;

/// <summary>The few libc entry points the Linux device, netlink and post-up code need (glibc, x86-64/arm64 ABI values).</summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    public const int O_RDONLY = 0x0;
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOENT = 2;
    public const int EPERM = 1;
    public const int ECHILD = 10;
    public const int EBADF = 9;
    public const int EBADFD = 77;
    public const int EMSGSIZE = 90;
    public const int ENOPROTOOPT = 92;
    public const int EOPNOTSUPP = 95;

    public const short POLLIN = 0x1;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_SEMAPHORE = 0x1;

    public const int AF_INET = 2;
    public const int AF_NETLINK = 16;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_ROUTE = 0;

    public const int CLONE_NEWNET = 0x40000000;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    [MethodImpl(PacketPath.Hot)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    [MethodImpl(PacketPath.Hot)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    /// <summary>
    /// read() on a non-blocking descriptor, without the GC transition (the packet path makes several such calls per
    /// packet, each a few microseconds at most and never blocking). No SetLastError: on -1 read
    /// <see cref="Marshal.GetLastSystemError"/> at once, trust it only as EAGAIN (at worst a runtime call in between
    /// changed it, and the next poll() wakes the caller again) and learn any other error from <see cref="Read"/>.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "read")]
    [SuppressGCTransition]
    public static partial nint ReadNonBlocking(int fd, byte* buffer, nuint count);

    /// <summary>write() on a descriptor that never blocks (tun/tap, eventfd), without the GC transition; on -1 redo
    /// the write with <see cref="Write"/> to learn the error (see <see cref="ReadNonBlocking"/>).</summary>
    [LibraryImport(Library, EntryPoint = "write")]
    [SuppressGCTransition]
    public static partial nint WriteNonBlocking(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    [MethodImpl(PacketPath.Hot)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, void* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buffer, nuint count, int flags);

    [LibraryImport(Library, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte* buffer, nuint count, int flags);

    [LibraryImport(Library, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    [LibraryImport(Library, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int namespaceType);

    [LibraryImport(Library, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int PosixSpawnFileActionsInit(void* actions);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int PosixSpawnFileActionsDestroy(void* actions);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PosixSpawnFileActionsAddOpen(void* actions, int fd, string path, int flags, int mode);

    [LibraryImport(Library, EntryPoint = "posix_spawn")]
    public static partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    /// <summary>Text of an errno value, e.g. "Operation not permitted".</summary>
    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
