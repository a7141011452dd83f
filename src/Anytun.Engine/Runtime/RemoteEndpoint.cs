using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Transport;

namespace Anytun.Engine.Runtime;

/// <summary>
/// Immutable remote endpoint in both forms: IPEndPoint for people, SocketAddress for the allocation-free send/compare.
/// Roaming swaps the whole object, so a reader never sees a half-updated address.
/// </summary>
internal sealed class RemoteEndpoint
{
    private static readonly IPEndPoint V4Template = new(IPAddress.Any, 0);
    private static readonly IPEndPoint V6Template = new(IPAddress.IPv6Any, 0);

    public RemoteEndpoint(IPEndPoint endPoint)
    {
        EndPoint = endPoint;
        Address = endPoint.Serialize();
        Text = UdpTransport.EndPointText(endPoint);
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

    public override string ToString() => Text;
}
