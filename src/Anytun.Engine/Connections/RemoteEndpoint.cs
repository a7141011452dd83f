using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Anytun.Engine.Transport;

namespace Anytun.Engine.Connections;

/// <summary>
/// Immutable remote endpoint in both forms: IPEndPoint for people, SocketAddress for the allocation-free send/compare,
/// plus the address as a number for the routing-loop check. Roaming swaps the whole object, so a reader never sees a
/// half-updated address.
/// </summary>
internal sealed class RemoteEndpoint
{
    private static readonly IPEndPoint V4Template = new(IPAddress.Any, 0);
    private static readonly IPEndPoint V6Template = new(IPAddress.IPv6Any, 0);

    private readonly UInt128 _address;
    private readonly bool _isV4;

    public RemoteEndpoint(IPEndPoint endPoint)
    {
        EndPoint = endPoint;
        Address = endPoint.Serialize();
        Text = UdpTransport.EndPointText(endPoint);
        Span<byte> bytes = stackalloc byte[16];
        endPoint.Address.TryWriteBytes(bytes, out var written);
        _isV4 = written == 4;
        _address = _isV4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public IPEndPoint EndPoint { get; }

    public SocketAddress Address { get; }

    public AddressFamily Family => EndPoint.AddressFamily;

    public string Text { get; }

    /// <summary>Builds a remote from a datagram's source address (allocates; only on a change of endpoint).</summary>
    public static RemoteEndpoint FromSocketAddress(SocketAddress source)
    {
        var template = source.Family == AddressFamily.InterNetworkV6 ? V6Template : V4Template;
        return new RemoteEndpoint((IPEndPoint)template.Create(source));
    }

    /// <summary>True when <paramref name="source"/> is this endpoint (no allocation).</summary>
    public bool Matches(SocketAddress source) => Address.Equals(source);

    /// <summary>
    /// True when the inner IP packet is addressed to this endpoint's address (same family): a route sent the tunnel's
    /// own outer traffic back into the tunnel device, and sending it would loop forever.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsDestinationOf(ReadOnlySpan<byte> innerPacket)
    {
        if (_isV4)
        {
            return innerPacket.Length >= 20 && innerPacket[0] >> 4 == 4
                && BinaryPrimitives.ReadUInt32BigEndian(innerPacket[16..]) == (uint)_address;
        }

        return innerPacket.Length >= 40 && innerPacket[0] >> 4 == 6
            && BinaryPrimitives.ReadUInt128BigEndian(innerPacket[24..]) == _address;
    }

    public override string ToString() => Text;
}
