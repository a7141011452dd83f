using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Crypto;
using Anytun.Engine.Device;
using Anytun.Engine.Routing;
using Anytun.Engine.Runtime;
using Microsoft.Extensions.Logging;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>Tunnels with several connections on 127.0.0.1: a "server" whose connections are added through its control
/// surface, and p2p "clients" started from plain anytun command lines.</summary>
internal static class MultiConnectionSupport
{
    /// <summary>Starts a tunnel from exactly <paramref name="arguments"/> (no key material appended).</summary>
    public static async Task<Side> StartExactAsync(string arguments, ILoggerFactory? loggers = null, OffloadSettings? offloads = null, IdleMode? idleMode = null)
    {
        using var options = AnytunCommandLine.ParseCommandLine(arguments);
        var device = new ChannelPacketDevice("tunmc");
        var tunnel = Tunnel.Create(options, loggers, device);
        if (offloads is not null)
        {
            tunnel.Offloads = offloads;
        }

        if (idleMode is not null)
        {
            tunnel.IdleMode = idleMode.Value;
        }

        await tunnel.StartAsync();
        return new Side(tunnel, device);
    }

    /// <summary>A connection to a client on 127.0.0.1:<paramref name="port"/> with its own passphrase and role.</summary>
    public static ConnectionSpec ClientSpec(ushort mux, int port, string passphrase, Role role, params string[] routes) => new(mux)
    {
        RemoteHost = "127.0.0.1",
        RemotePort = port,
        Passphrase = SecretBytes.FromUtf8(passphrase),
        Role = role,
        Routes = routes.Select(IPPrefix.Parse).ToList(),
    };

    /// <summary>An IPv4 packet to <paramref name="destination"/> (version nibble and destination are what routing reads).</summary>
    public static byte[] Ipv4To(string destination, int length = 64, byte marker = 1)
    {
        var packet = Ipv4Packet(length, marker);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(packet, 16);
        return packet;
    }

    public static byte[] Ipv6To(string destination, int length = 80, byte marker = 1)
    {
        var packet = Ipv6Packet(length, marker);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(packet, 24);
        return packet;
    }
}
