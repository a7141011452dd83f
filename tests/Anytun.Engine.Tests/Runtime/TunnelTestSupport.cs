using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>Builds in-process tunnels on 127.0.0.1 with in-memory devices.</summary>
internal static class TunnelTestSupport
{
    public const string Key = "0123456789abcdef0123456789abcdef";
    public const string OtherKey = "fedcba9876543210fedcba9876543210";
    public const string Salt = "0123456789abcdef0123456789ab";
    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(5);

    public sealed record Side(Tunnel Tunnel, ChannelPacketDevice Device) : IAsyncDisposable
    {
        public int Port => Tunnel.LocalEndPoints[0].Port;

        public ValueTask DisposeAsync() => Tunnel.DisposeAsync();
    }

    /// <summary>Starts a tunnel from an anytun command line (key/salt appended unless given).</summary>
    public static async Task<Side> StartAsync(string arguments, DeviceType kind = DeviceType.Tun, IdleMode? idleMode = null)
    {
        if (!arguments.Contains("-K ", StringComparison.Ordinal))
        {
            arguments += $" -K {Key}";
        }

        if (!arguments.Contains("-A ", StringComparison.Ordinal))
        {
            arguments += $" -A {Salt}";
        }

        using var options = AnytunCommandLine.ParseCommandLine(arguments);
        var device = new ChannelPacketDevice(kind == DeviceType.Tap ? "tapfake" : "tunfake", kind);
        var tunnel = Tunnel.Create(options, device: device);
        if (idleMode is not null)
        {
            tunnel.IdleMode = idleMode.Value;
        }

        await tunnel.StartAsync();
        return new Side(tunnel, device);
    }

    /// <summary>A UDP port that was free a moment ago (for two tunnels that must know each other's port up front).</summary>
    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A minimal IPv4 packet (only the version nibble matters to the engine) tagged with <paramref name="marker"/>.</summary>
    public static byte[] Ipv4Packet(int length = 60, byte marker = 1)
    {
        var packet = new byte[length];
        packet[0] = 0x45;
        for (var i = 1; i < length; i++)
        {
            packet[i] = (byte)(marker + i);
        }

        return packet;
    }

    public static byte[] Ipv6Packet(int length = 80, byte marker = 1)
    {
        var packet = Ipv4Packet(length, marker);
        packet[0] = 0x60;
        return packet;
    }

    public static byte[] TakeWritten(ChannelPacketDevice device)
    {
        Assert.True(device.TryTakeWritten(WaitTimeout, out var packet), $"no packet arrived on {device.Name} within {WaitTimeout}");
        return packet;
    }

    public static void AssertNothingWritten(ChannelPacketDevice device, int milliseconds = 300)
    {
        Assert.False(device.TryTakeWritten(TimeSpan.FromMilliseconds(milliseconds), out _), $"unexpected packet on {device.Name}");
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + WaitTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }

            await Task.Delay(10);
        }
    }

    public static ConnectionSnapshot SingleConnection(Tunnel tunnel)
    {
        var connections = tunnel.GetConnections();
        Assert.Single(connections);
        return connections[0];
    }

    /// <summary>A plain UDP socket on 127.0.0.1 to send crafted datagrams from.</summary>
    public static Socket RawSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
