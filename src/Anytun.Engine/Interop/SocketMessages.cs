using System.Runtime.InteropServices;

namespace Anytun.Engine.Interop;

/// <summary>sendmsg/recvmsg/sendmmsg and the structures they take (Linux x86-64/arm64 layout).</summary>
internal static unsafe partial class SocketMessages
{
    public const int SOL_UDP = 17;
    public const int UDP_SEGMENT = 103;
    public const int UDP_GRO = 104;
    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_TRUNC = 0x20;

    /// <summary>Bytes of a control message carrying one int (cmsghdr 16 + 4, aligned to 8).</summary>
    public const int IntControlSpace = 24;

    /// <summary>Bytes of a control message carrying one u16 (cmsghdr 16 + 2, aligned to 8).</summary>
    public const int UShortControlSpace = 24;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MultiMessageHeader
    {
        public MessageHeader Header;
        public uint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ControlHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMessage(int fd, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint ReceiveMessage(int fd, MessageHeader* message, int flags);

    /// <summary>recvmsg() with MSG_DONTWAIT, without the GC transition; errno as for <see cref="Libc.ReadNonBlocking"/>
    /// (trusted only as EAGAIN, any other error learnt from <see cref="ReceiveMessage"/>).</summary>
    [LibraryImport("libc", EntryPoint = "recvmsg")]
    [SuppressGCTransition]
    public static partial nint ReceiveMessageNonBlocking(int fd, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMultipleMessages(int fd, MultiMessageHeader* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSocketOption(int fd, int level, int name, void* value, uint valueLength);
}
