using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Sync;

namespace Anytun.Engine.Configuration;

/// <summary>
/// One -R value of anytun-config ("net/len"): the address as given (host bits are kept, as anytun does) and the
/// prefix length. Stricter than anytun-config, which writes "/x" as 0, "/300" as 44 and "/33" for IPv4 as 33.
/// </summary>
public sealed record ConnectionRoute
{
    public ConnectionRoute(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var max = address.AddressFamily switch
        {
            AddressFamily.InterNetwork => 32,
            AddressFamily.InterNetworkV6 => 128,
            _ => throw new ArgumentException($"{address.AddressFamily} is not IPv4 or IPv6.", nameof(address)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, max);
        Address = address;
        PrefixLength = prefixLength;
    }

    public IPAddress Address { get; }

    public int PrefixLength { get; }

    /// <summary>
    /// Whether a real anytun 0.3.8 that installs this route loops forever (the partial last octet's range ends at
    /// 0xff, e.g. 10.0.0.128/25); anytun-config itself hangs on it too.
    /// </summary>
    public bool HangsReferenceImplementation => ToCommand(0).HangsReferenceImplementation;

    /// <summary>Parses "net/len" as anytun-config's -R does; errors are InvalidOption naming <paramref name="option"/>.</summary>
    public static ConnectionRoute Parse(string text, string option = OptionNames.Route)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            throw OptionErrors.Invalid(option, $"{option} '{text}' is missing '/<prefix length>' (expected net/len, e.g. 192.0.2.0/24).");
        }

        if (!InetAddressText.TryParse(text[..slash], out var address) || text[..slash].Contains('%', StringComparison.Ordinal))
        {
            throw OptionErrors.Invalid(option, $"{option} '{text}': '{text[..slash]}' is not an IPv4 or IPv6 address.");
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > max)
        {
            throw OptionErrors.Invalid(option, string.Create(CultureInfo.InvariantCulture, $"{option} '{text}': the prefix length must be a number from 0 to {max}."));
        }

        return new ConnectionRoute(address, length);
    }

    /// <summary>The route command anytun-config writes for this prefix and <paramref name="mux"/>.</summary>
    public SyncRouteCommand ToCommand(ushort mux) => SyncRouteCommand.Create(Address, (byte)PrefixLength, mux);

    /// <summary>"net/len" with the address as anytun prints it.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{InetAddressText.Format(Address)}/{PrefixLength}");
}
