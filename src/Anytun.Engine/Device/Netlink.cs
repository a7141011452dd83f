using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Anytun.Engine.Interop;

namespace Anytun.Engine.Device;

/// <summary>
/// Minimal rtnetlink client (NETLINK_ROUTE): adds an IPv4 address, sets the MTU and brings a link up, like the
/// <c>ifconfig &lt;dev&gt; &lt;addr&gt; netmask &lt;mask&gt; mtu 1400</c> that anytun runs for -n, and adds or deletes routes via a
/// device (the kernel routes of a tunnel's connections). Works in the network
/// namespace of the calling thread.
/// </summary>
public static unsafe class Netlink
{
    private const ushort RTM_NEWLINK = 16;
    private const ushort RTM_NEWADDR = 20;
    private const ushort RTM_NEWROUTE = 24;
    private const ushort RTM_DELROUTE = 25;
    private const ushort NLM_F_EXCL = 0x200;
    private const ushort RTA_DST = 1;
    private const ushort RTA_OIF = 4;
    private const byte RT_TABLE_MAIN = 254;
    private const byte RTPROT_STATIC = 4;
    private const byte RT_SCOPE_LINK = 253;
    private const byte RT_SCOPE_NOWHERE = 255;
    private const byte RTN_UNICAST = 1;
    private const int AF_INET6 = 10;
    private const int ESRCH = 3;
    private const ushort NLMSG_ERROR = 2;
    private const ushort NLM_F_REQUEST = 0x1;
    private const ushort NLM_F_ACK = 0x4;
    private const ushort NLM_F_REPLACE = 0x100;
    private const ushort NLM_F_CREATE = 0x400;
    private const ushort IFA_ADDRESS = 1;
    private const ushort IFA_LOCAL = 2;
    private const ushort IFA_BROADCAST = 4;
    private const ushort IFLA_MTU = 4;
    private const uint IFF_UP = 0x1;
    private const int HeaderSize = 16;

    /// <summary>anytun's MTU for -n (spec §1.3).</summary>
    public const int AnytunMtu = 1400;

    /// <summary>Adds <paramref name="address"/>/<paramref name="prefixLength"/>, sets <paramref name="mtu"/> and sets the link up.</summary>
    /// <param name="deviceName">Interface name (in the calling thread's network namespace).</param>
    /// <param name="address">IPv4 address.</param>
    /// <param name="prefixLength">Prefix length 0..32.</param>
    /// <param name="mtu">MTU to set (anytun: 1400).</param>
    /// <param name="broadcast">Add the directed broadcast address too (Ethernet/tap interfaces, as ifconfig does).</param>
    /// <exception cref="AnytunException">InterfaceConfigFailed (target = device name) with the kernel's errno text.</exception>
    public static void ConfigureInterface(string deviceName, IPAddress address, int prefixLength, int mtu, bool broadcast)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork || prefixLength is < 0 or > 32)
        {
            throw new AnytunException(
                AnytunErrorCode.InterfaceConfigFailed,
                $"cannot configure {deviceName}: only IPv4 addresses with a prefix length 0..32 are supported (got {address}/{prefixLength})",
                deviceName);
        }

        var index = Libc.IfNameToIndex(deviceName);
        if (index == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw Failure(deviceName, "look up interface", errno);
        }

        var fd = OpenSocket(deviceName);
        try
        {
            var message = new byte[256];
            var length = BuildNewAddress(message, 1, index, address, prefixLength, broadcast);
            Transact(fd, message.AsSpan(0, length), 1, deviceName, $"add address {address}/{prefixLength}");

            length = BuildNewLink(message, 2, index, mtu);
            Transact(fd, message.AsSpan(0, length), 2, deviceName, $"set mtu {mtu} and link up");
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }

    /// <summary>
    /// Adds the kernel route <paramref name="prefix"/> via <paramref name="deviceName"/> (main table, scope link,
    /// protocol static; what <c>ip route add &lt;prefix&gt; dev &lt;device&gt;</c> does). Returns false, changing
    /// nothing, when the kernel already has a route to that prefix.
    /// </summary>
    /// <exception cref="AnytunException">InterfaceConfigFailed (target = device name) with the kernel's errno text.</exception>
    public static bool AddRoute(string deviceName, Routing.IPPrefix prefix) =>
        ChangeRoute(deviceName, prefix, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, Libc.EEXIST, "add route");

    /// <summary>Deletes the kernel route <paramref name="prefix"/> via <paramref name="deviceName"/>; false when there is none
    /// (or the device is gone, which took its routes with it).</summary>
    /// <exception cref="AnytunException">InterfaceConfigFailed (target = device name) with the kernel's errno text.</exception>
    public static bool DeleteRoute(string deviceName, Routing.IPPrefix prefix) =>
        ChangeRoute(deviceName, prefix, RTM_DELROUTE, 0, ESRCH, "delete route");

    private static bool ChangeRoute(string deviceName, Routing.IPPrefix prefix, ushort type, ushort flags, int absentOrPresent, string action)
    {
        var index = Libc.IfNameToIndex(deviceName);
        if (index == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (type == RTM_DELROUTE)
            {
                return false;
            }

            throw Failure(deviceName, "look up interface", errno);
        }

        var fd = OpenSocket(deviceName);
        try
        {
            var message = new byte[256];
            var length = BuildRoute(message, 1, type, flags, index, prefix);
            var errno = Transact(fd, message.AsSpan(0, length), 1, deviceName, $"{action} {prefix}", absentOrPresent);
            return errno == 0;
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }

    private static int BuildRoute(Span<byte> message, uint sequence, ushort type, ushort flags, uint index, Routing.IPPrefix prefix)
    {
        message.Clear();
        var offset = HeaderSize;

        // struct rtmsg { u8 family; u8 dst_len; u8 src_len; u8 tos; u8 table; u8 protocol; u8 scope; u8 type; u32 flags; }
        var adding = type == RTM_NEWROUTE;
        message[offset] = (byte)(prefix.IsIPv4 ? Libc.AF_INET : AF_INET6);
        message[offset + 1] = (byte)prefix.PrefixLength;
        message[offset + 4] = RT_TABLE_MAIN;
        message[offset + 5] = adding ? RTPROT_STATIC : (byte)0;
        message[offset + 6] = adding ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
        message[offset + 7] = adding ? RTN_UNICAST : (byte)0;
        offset += 12;

        Span<byte> network = stackalloc byte[16];
        prefix.Network.TryWriteBytes(network, out var written);
        offset = AppendAttribute(message, offset, RTA_DST, network[..written]);
        Span<byte> oif = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(oif, index);
        offset = AppendAttribute(message, offset, RTA_OIF, oif);

        WriteHeader(message, offset, type, (ushort)(NLM_F_REQUEST | NLM_F_ACK | flags), sequence);
        return offset;
    }

    private static int OpenSocket(string deviceName)
    {
        var fd = Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_ROUTE);
        if (fd < 0)
        {
            throw Failure(deviceName, "open netlink socket", Marshal.GetLastPInvokeError());
        }

        // sockaddr_nl { family, pad, pid = 0 (kernel assigns), groups = 0 }
        var local = stackalloc byte[12];
        new Span<byte>(local, 12).Clear();
        *(ushort*)local = Libc.AF_NETLINK;
        if (Libc.Bind(fd, local, 12) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = Libc.Close(fd);
            throw Failure(deviceName, "bind netlink socket", errno);
        }

        return fd;
    }

    private static int BuildNewAddress(Span<byte> message, uint sequence, uint index, IPAddress address, int prefixLength, bool broadcast)
    {
        message.Clear();
        var offset = HeaderSize;

        // struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }
        message[offset] = Libc.AF_INET;
        message[offset + 1] = (byte)prefixLength;
        BinaryPrimitives.WriteUInt32LittleEndian(message[(offset + 4)..], index);
        offset += 8;

        Span<byte> addressBytes = stackalloc byte[4];
        address.TryWriteBytes(addressBytes, out _);
        offset = AppendAttribute(message, offset, IFA_LOCAL, addressBytes);
        offset = AppendAttribute(message, offset, IFA_ADDRESS, addressBytes);
        if (broadcast && prefixLength < 31)
        {
            var host = BinaryPrimitives.ReadUInt32BigEndian(addressBytes);
            var mask = prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);
            Span<byte> broadcastBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(broadcastBytes, host | ~mask);
            offset = AppendAttribute(message, offset, IFA_BROADCAST, broadcastBytes);
        }

        WriteHeader(message, offset, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, sequence);
        return offset;
    }

    private static int BuildNewLink(Span<byte> message, uint sequence, uint index, int mtu)
    {
        message.Clear();
        var offset = HeaderSize;

        // struct ifinfomsg { u8 family; u8 pad; u16 type; i32 index; u32 flags; u32 change; }
        BinaryPrimitives.WriteInt32LittleEndian(message[(offset + 4)..], (int)index);
        BinaryPrimitives.WriteUInt32LittleEndian(message[(offset + 8)..], IFF_UP);
        BinaryPrimitives.WriteUInt32LittleEndian(message[(offset + 12)..], IFF_UP);
        offset += 16;

        Span<byte> mtuBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(mtuBytes, (uint)mtu);
        offset = AppendAttribute(message, offset, IFLA_MTU, mtuBytes);

        WriteHeader(message, offset, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, sequence);
        return offset;
    }

    private static int AppendAttribute(Span<byte> message, int offset, ushort type, ReadOnlySpan<byte> value)
    {
        // struct rtattr { u16 len; u16 type; } + value, padded to 4 bytes
        BinaryPrimitives.WriteUInt16LittleEndian(message[offset..], (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(message[(offset + 2)..], type);
        value.CopyTo(message[(offset + 4)..]);
        return offset + ((4 + value.Length + 3) & ~3);
    }

    private static void WriteHeader(Span<byte> message, int length, ushort type, ushort flags, uint sequence)
    {
        // struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; } in host (little-endian) order
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(message[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(message[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(message[8..], sequence);
    }

    /// <summary>Sends one request and waits for its acknowledgement; returns 0, or <paramref name="tolerated"/> when the kernel
    /// answered with that errno (anything else throws).</summary>
    private static int Transact(int fd, ReadOnlySpan<byte> request, uint sequence, string deviceName, string action, int tolerated = 0)
    {
        fixed (byte* pointer = request)
        {
            if (Libc.Send(fd, pointer, (nuint)request.Length, 0) < 0)
            {
                throw Failure(deviceName, action, Marshal.GetLastPInvokeError());
            }
        }

        var reply = new byte[8192];
        while (true)
        {
            nint received;
            fixed (byte* pointer = reply)
            {
                received = Libc.Recv(fd, pointer, (nuint)reply.Length, 0);
            }

            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                throw Failure(deviceName, action, errno);
            }

            var offset = 0;
            while (offset + HeaderSize <= received)
            {
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(offset));
                var type = BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(offset + 4));
                var replySequence = BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(offset + 8));
                if (length < HeaderSize)
                {
                    break;
                }

                if (type == NLMSG_ERROR && replySequence == sequence && offset + HeaderSize + 4 <= received)
                {
                    var error = BinaryPrimitives.ReadInt32LittleEndian(reply.AsSpan(offset + HeaderSize));
                    if (error == 0 || (tolerated != 0 && -error == tolerated))
                    {
                        return -error;
                    }

                    throw Failure(deviceName, action, -error);
                }

                offset += (length + 3) & ~3;
            }
        }
    }

    private static AnytunException Failure(string deviceName, string action, int errno) => new(
        AnytunErrorCode.InterfaceConfigFailed,
        $"cannot configure {deviceName}: {action}: {Libc.ErrorText(errno)}",
        deviceName);
}
