using System.Runtime.CompilerServices;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Transport;

/// <summary>
/// The tunnel's UDP sockets: one per local address (IPv6 sockets with IPV6_V6ONLY), all on the same port.
/// Each socket is read by exactly one receiver thread; the sender loop (on its thread, or on a receiver's draining for it)
/// sends from the first socket of the remote's family.
/// </summary>
internal sealed class UdpTransport : IDisposable
{
    /// <summary>Socket buffer size requested; the kernel caps it at net.core.[rw]mem_max.</summary>
    private const int SocketBufferSize = 4 * 1024 * 1024;
    private const int SolSocket = 1;
    private const int SoSendBufferForce = 32;
    private const int SoReceiveBufferForce = 33;

    private readonly Socket[] _sockets;
    private int _disposed;

    private UdpTransport(Socket[] sockets, IPEndPoint[] localEndPoints)
    {
        _sockets = sockets;
        LocalEndPoints = localEndPoints;
    }

    public IReadOnlyList<Socket> Sockets => _sockets;

    public IReadOnlyList<IPEndPoint> LocalEndPoints { get; }

    /// <summary>Opens and binds one socket per address; on any failure closes what it opened.</summary>
    /// <param name="addresses">Local addresses, one socket each.</param>
    /// <param name="port">Local port; 0 = kernel-chosen (then the same port for every socket).</param>
    /// <param name="skipUnsupportedFamilies">Skip an address whose family the kernel lacks (the implicit [::] wildcard
    /// on a host booted with ipv6.disable=1), as long as one socket remains.</param>
    /// <exception cref="AnytunException">AddressInUse (target "address:port") or SocketFailed.</exception>
    public static UdpTransport Bind(IReadOnlyList<IPAddress> addresses, int port, bool skipUnsupportedFamilies = false)
    {
        var sockets = new List<Socket>(addresses.Count);
        var endPoints = new List<IPEndPoint>(addresses.Count);
        try
        {
            foreach (var address in addresses)
            {
                // With port 0 every further socket reuses the port the kernel chose for the first one.
                var bindPort = port == 0 && endPoints.Count > 0 ? endPoints[0].Port : port;
                Socket socket;
                try
                {
                    socket = Open(address, bindPort);
                }
                catch (AnytunException exception) when (skipUnsupportedFamilies && IsUnsupportedFamily(exception))
                {
                    continue;
                }

                sockets.Add(socket);
                endPoints.Add((IPEndPoint)socket.LocalEndPoint!);
            }
        }
        catch
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            throw;
        }

        if (sockets.Count == 0)
        {
            throw new AnytunException(AnytunErrorCode.SocketFailed, "no local address could be opened (address family not supported)", port.ToString(CultureInfo.InvariantCulture));
        }

        return new UdpTransport(sockets.ToArray(), endPoints.ToArray());
    }

    private static bool IsUnsupportedFamily(AnytunException exception) =>
        exception.InnerException is SocketException { SocketErrorCode: SocketError.AddressFamilyNotSupported or SocketError.ProtocolNotSupported };

    /// <summary>The first socket of <paramref name="family"/>, or null (spec §7: "no suitable socket found").</summary>
    [MethodImpl(PacketPath.Hot)]
    public Socket? SocketFor(AddressFamily family)
    {
        var sockets = _sockets;
        for (var i = 0; i < sockets.Length; i++)
        {
            if (sockets[i].AddressFamily == family)
            {
                return sockets[i];
            }
        }

        return null;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Closing a socket wakes the receiver blocked in it.
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    private static Socket Open(IPAddress address, int port)
    {
        var endPoint = new IPEndPoint(address, port);
        var target = EndPointText(endPoint);
        Socket socket;
        try
        {
            socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        }
        catch (SocketException exception)
        {
            throw new AnytunException(AnytunErrorCode.SocketFailed, $"cannot open socket {target}: {exception.Message}", target, exception);
        }

        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            TrySetBufferSizes(socket);
            socket.Bind(endPoint);
            return socket;
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            if (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw new AnytunException(AnytunErrorCode.AddressInUse, $"bind {target}: address already in use", target, exception);
            }

            throw new AnytunException(AnytunErrorCode.SocketFailed, $"bind {target}: {exception.Message}", target, exception);
        }
    }

    private static void TrySetBufferSizes(Socket socket)
    {
        // SO_RCVBUFFORCE/SO_SNDBUFFORCE pass net.core.[rw]mem_max with CAP_NET_ADMIN (which a tunnel has anyway);
        // otherwise fall back to the capped request. Larger buffers only help bursts; the defaults work.
        TrySetBufferSize(socket, SoReceiveBufferForce, SocketOptionName.ReceiveBuffer);
        TrySetBufferSize(socket, SoSendBufferForce, SocketOptionName.SendBuffer);
    }

    private static void TrySetBufferSize(Socket socket, int forceOption, SocketOptionName option)
    {
        try
        {
            socket.SetRawSocketOption(SolSocket, forceOption, BitConverter.GetBytes(SocketBufferSize));
            return;
        }
        catch (SocketException)
        {
        }
        catch (PlatformNotSupportedException)
        {
        }

        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, option, SocketBufferSize);
        }
        catch (SocketException)
        {
        }
    }

    public static string EndPointText(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]:{endPoint.Port}" : $"{endPoint.Address}:{endPoint.Port}";
}
