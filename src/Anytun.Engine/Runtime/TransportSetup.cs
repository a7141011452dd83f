using Anytun.Engine.Configuration;
using Anytun.Engine.Logging;
using Anytun.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Runtime;

/// <summary>Binds the tunnel's UDP sockets: -i resolved honouring -4/-6, one socket per address, port -p.</summary>
internal static class TransportSetup
{
    public static UdpTransport Bind(TunnelOptions options, ILogger logger)
    {
        var localAddresses = EndpointResolver.ResolveLocal(options.LocalAddress, options.AddressFamily);

        // Without -i both wildcards are tried; a kernel without IPv6 keeps the IPv4 one (an explicit address must work).
        var implicitWildcards = string.IsNullOrEmpty(options.LocalAddress) && localAddresses.Count > 1;
        var transport = UdpTransport.Bind(localAddresses, options.LocalPort, skipUnsupportedFamilies: implicitWildcards);
        foreach (var endPoint in transport.LocalEndPoints)
        {
            EngineLog.SocketOpened(logger, UdpTransport.EndPointText(endPoint));
        }

        try
        {
            MulticastSetup.Apply(transport, options, logger);
        }
        catch
        {
            transport.Dispose();
            throw;
        }

        return transport;
    }
}
