using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Configuration;

namespace Anytun.Engine.Transport;

/// <summary>Resolves -i and -r honouring -4/-6 (spec §7, §12.2).</summary>
internal static class EndpointResolver
{
    /// <summary>
    /// The local addresses to bind: the wildcard(s) when no -i is given (0.0.0.0 and [::] unless -4/-6), else every
    /// resolved address of the allowed families.
    /// </summary>
    public static IReadOnlyList<IPAddress> ResolveLocal(string? host, AddressFamilyPreference preference)
    {
        if (string.IsNullOrEmpty(host))
        {
            return preference switch
            {
                AddressFamilyPreference.IPv4Only => new[] { IPAddress.Any },
                AddressFamilyPreference.IPv6Only => new[] { IPAddress.IPv6Any },
                _ => new[] { IPAddress.Any, IPAddress.IPv6Any },
            };
        }

        if (IPAddress.TryParse(host, out var literal))
        {
            if (!Allows(preference, literal.AddressFamily))
            {
                throw new AnytunException(
                    AnytunErrorCode.InvalidOption,
                    $"local address '{host}' contradicts {PreferenceOption(preference)}",
                    "-i/--interface");
            }

            return new[] { literal };
        }

        IPAddress[] resolved;
        try
        {
            resolved = Dns.GetHostAddresses(host);
        }
        catch (SocketException exception)
        {
            throw new AnytunException(
                AnytunErrorCode.ResolveFailed,
                $"cannot resolve local address '{host}': {exception.Message}",
                host,
                exception);
        }

        var result = new List<IPAddress>();
        foreach (var address in resolved)
        {
            if (Allows(preference, address.AddressFamily) && !result.Contains(address))
            {
                result.Add(address);
            }
        }

        if (result.Count == 0)
        {
            throw new AnytunException(
                AnytunErrorCode.ResolveFailed,
                $"local address '{host}' has no address of the allowed family ({PreferenceOption(preference)})",
                host);
        }

        return result;
    }

    /// <summary>A literal remote (no DNS needed), or null when <paramref name="host"/> is a name.</summary>
    public static IPEndPoint? TryParseRemoteLiteral(string host, int port, AddressFamilyPreference preference)
    {
        if (!IPAddress.TryParse(host, out var literal))
        {
            return null;
        }

        if (!Allows(preference, literal.AddressFamily))
        {
            throw new AnytunException(
                AnytunErrorCode.InvalidOption,
                $"remote host '{host}' contradicts {PreferenceOption(preference)}",
                "-r/--remote-host");
        }

        return new IPEndPoint(literal, port);
    }

    /// <summary>One resolution attempt: the first address of an allowed family.</summary>
    /// <exception cref="SocketException">The resolver failed or found no address of an allowed family.</exception>
    public static async Task<IPEndPoint> ResolveRemoteAsync(string host, int port, AddressFamilyPreference preference, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        foreach (var address in addresses)
        {
            if (Allows(preference, address.AddressFamily))
            {
                return new IPEndPoint(address, port);
            }
        }

        throw new SocketException((int)SocketError.HostNotFound);
    }

    public static bool Allows(AddressFamilyPreference preference, AddressFamily family) => preference switch
    {
        AddressFamilyPreference.IPv4Only => family == AddressFamily.InterNetwork,
        AddressFamilyPreference.IPv6Only => family == AddressFamily.InterNetworkV6,
        _ => family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6,
    };

    private static string PreferenceOption(AddressFamilyPreference preference) => preference switch
    {
        AddressFamilyPreference.IPv4Only => "-4/--ipv4-only",
        AddressFamilyPreference.IPv6Only => "-6/--ipv6-only",
        _ => "the address family",
    };
}
