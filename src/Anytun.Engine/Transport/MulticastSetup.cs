using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Anytun.Engine.Configuration;
using Anytun.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Transport;

/// <summary>
/// The multicast socket options the module adds to anytun (which sets none, spec dataplane §12.4): the hop limit and
/// outgoing interface of datagrams to a multicast remote, and group memberships so group datagrams reach the tunnel.
/// </summary>
internal static class MulticastSetup
{
    private const int IpProtocolIP = 0;
    private const int IpMulticastIf = 32; // Linux <netinet/in.h>; takes struct ip_mreqn (interface index)

    /// <exception cref="AnytunException">InvalidOption (no such interface) or SocketFailed (the kernel refused).</exception>
    public static void Apply(UdpTransport transport, TunnelOptions options, ILogger logger)
    {
        if (options.MulticastTtl is null && options.MulticastInterface is null && options.MulticastGroups.Count == 0)
        {
            return;
        }

        var index = options.MulticastInterface is { } name ? InterfaceIndex(name) : 0;
        foreach (var socket in transport.Sockets)
        {
            var local = (IPEndPoint)socket.LocalEndPoint!;
            try
            {
                if (socket.AddressFamily == AddressFamily.InterNetwork)
                {
                    ApplyIPv4(socket, options.MulticastTtl, index);
                }
                else
                {
                    ApplyIPv6(socket, options.MulticastTtl, index);
                }

                foreach (var group in options.MulticastGroups.Where(g => g.AddressFamily == socket.AddressFamily))
                {
                    Join(socket, group, index);
                    TransportLog.MulticastJoined(logger, group.ToString(), options.MulticastInterface ?? "the kernel's choice", UdpTransport.EndPointText(local));
                    if (!local.Address.Equals(IPAddress.Any) && !local.Address.Equals(IPAddress.IPv6Any))
                    {
                        TransportLog.MulticastBoundToUnicast(logger, UdpTransport.EndPointText(local), group.ToString());
                    }
                }
            }
            catch (SocketException exception)
            {
                var target = UdpTransport.EndPointText(local);
                throw new AnytunException(AnytunErrorCode.SocketFailed, $"cannot set the multicast options on socket {target}: {exception.Message}", target, exception);
            }
        }

        TransportLog.MulticastOptions(logger, options.MulticastTtl?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "1 (kernel default)", options.MulticastInterface ?? "the kernel's choice");
    }

    private static void ApplyIPv4(Socket socket, int? ttl, int index)
    {
        if (ttl is { } hops)
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, hops);
        }

        if (index != 0)
        {
            // struct ip_mreqn { in_addr imr_multiaddr; in_addr imr_address; int imr_ifindex; }
            Span<byte> mreqn = stackalloc byte[12];
            mreqn.Clear();
            BinaryPrimitives.WriteInt32LittleEndian(mreqn[8..], index);
            socket.SetRawSocketOption(IpProtocolIP, IpMulticastIf, mreqn);
        }
    }

    private static void ApplyIPv6(Socket socket, int? ttl, int index)
    {
        if (ttl is { } hops)
        {
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, hops);
        }

        if (index != 0)
        {
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, index);
        }
    }

    private static void Join(Socket socket, IPAddress group, int index)
    {
        if (group.AddressFamily == AddressFamily.InterNetwork)
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(group, index));
        }
        else
        {
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(group, index));
        }
    }

    private static int InterfaceIndex(string name)
    {
        // Linux names every interface (including ones without addresses) under /sys/class/net.
        var sysfs = Path.Combine("/sys/class/net", name, "ifindex");
        if (File.Exists(sysfs) && int.TryParse(File.ReadAllText(sysfs).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return index;
        }

        foreach (var candidate in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (string.Equals(candidate.Name, name, StringComparison.Ordinal))
            {
                return candidate.GetIPProperties().GetIPv6Properties().Index;
            }
        }

        throw new AnytunException(
            AnytunErrorCode.InvalidOption,
            $"{OptionNames.MulticastInterface} '{name}': there is no such network interface (see 'ip link').",
            OptionNames.MulticastInterface);
    }
}
