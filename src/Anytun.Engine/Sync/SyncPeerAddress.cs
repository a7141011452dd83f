using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Configuration;

namespace Anytun.Engine.Sync;

/// <summary>
/// A sync peer or listen address as anytun's <c>-M</c>/<c>-X</c> and anytun-controld's <c>-X</c> write it (spec §1.1):
/// <c>[v6addr]:port</c> or <c>[v6addr]</c>; <c>host:port</c> when the text has exactly one colon (<c>:port</c> = every
/// local address, listen side only); anything else, a bare IPv6 address included, is the host with port 2323.
/// Stricter than anytun: the port must be a number 1..65535 (anytun passes it to the resolver as a service name) and
/// an empty port after ':' is an error (anytun silently keeps the previous value).
/// </summary>
public sealed record SyncPeerAddress
{
    private SyncPeerAddress(string host, int port)
    {
        Host = host;
        Port = port;
    }

    /// <summary>Host name or address; empty means every local address (listen side).</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>Whether <see cref="Host"/> is empty (":port").</summary>
    public bool IsAnyAddress => Host.Length == 0;

    /// <summary>Parses <paramref name="text"/>; errors are InvalidOption naming <paramref name="option"/>.</summary>
    /// <param name="text">The address text.</param>
    /// <param name="option">The option the text came from (the error's target), e.g. "-X/--control-host".</param>
    /// <param name="allowAnyAddress">Whether ":port" (every local address) is meaningful here.</param>
    /// <param name="defaultPort">Port when the text has none.</param>
    public static SyncPeerAddress Parse(string text, string option, bool allowAnyAddress = false, int defaultPort = SyncArchive.DefaultPort)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(option);
        var bracket = text.IndexOf('[', StringComparison.Ordinal);
        string host;
        string? port = null;
        if (bracket >= 0)
        {
            if (bracket != 0)
            {
                throw Error(option, text, "a '[' may only start the address ([v6addr]:port)");
            }

            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Error(option, text, "the '[' is not closed by ']'");
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':' || rest.Length == 1)
                {
                    throw Error(option, text, "after ']' only ':<port>' may follow");
                }

                port = rest[1..];
            }

            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw Error(option, text, $"'{host}' inside [ ] is not an IPv6 address");
            }
        }
        else
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && colon == text.LastIndexOf(':'))
            {
                host = text[..colon];
                port = text[(colon + 1)..];
                if (port.Length == 0)
                {
                    throw Error(option, text, "the port after ':' is missing");
                }
            }
            else
            {
                host = text;
            }
        }

        if (host.Length == 0 && !allowAnyAddress)
        {
            throw Error(option, text, "the host is missing");
        }

        if (host.Any(char.IsWhiteSpace) || host.Contains(',', StringComparison.Ordinal))
        {
            throw Error(option, text, "the host contains whitespace or ','");
        }

        var number = defaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
        {
            throw Error(option, text, $"the port '{port}' is not a number from 1 to 65535");
        }

        return new SyncPeerAddress(host, number);
    }

    /// <summary>"host:port", "[v6]:port" or ":port": text <see cref="Parse"/> reads back to the same value.</summary>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    private static AnytunException Error(string option, string text, string reason) =>
        new(AnytunErrorCode.InvalidOption, $"{option} '{text}': {reason} (expected host[:port], [v6addr][:port] or a bare IPv6 address).", option);
}
