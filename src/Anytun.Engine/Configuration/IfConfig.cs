using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Anytun.Engine.Configuration;

/// <summary>The -n/--ifconfig value: local IPv4 address of the device and the prefix length of its network.</summary>
public sealed class IfConfig
{
    public IfConfig(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        Address = address;
        PrefixLength = prefixLength;
    }

    public IPAddress Address { get; }

    public int PrefixLength { get; }

    /// <summary>Dotted-quad netmask for the prefix (what anytun passes to ifconfig).</summary>
    public IPAddress Netmask
    {
        get
        {
            var bits = PrefixLength <= 0 ? 0u : uint.MaxValue << (32 - Math.Min(PrefixLength, 32));
            return new IPAddress(new[] { (byte)(bits >> 24), (byte)(bits >> 16), (byte)(bits >> 8), (byte)bits });
        }
    }

    /// <summary>Parses "addr/prefix" strictly (IPv4 dotted quad, prefix 0..32) as anytun 0.3.8 accepts it.</summary>
    public static IfConfig Parse(string value, string option = OptionNames.IfConfig)
    {
        ArgumentNullException.ThrowIfNull(value);
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            throw OptionErrors.Invalid(option, $"{option} '{value}' is missing '/<prefix length>' (expected e.g. 192.168.123.1/24).");
        }

        var addressText = value[..slash];
        var prefixText = value[(slash + 1)..];
        if (!IPAddress.TryParse(addressText, out var address))
        {
            throw OptionErrors.Invalid(option, $"{option} '{value}': '{addressText}' is not an IP address.");
        }

        // IPAddress.TryParse also takes inet_aton forms such as "10.1" or "010.0.0.1"; anytun users mean dotted quads.
        if (address.AddressFamily == AddressFamily.InterNetwork
            && !string.Equals(address.ToString(), addressText, StringComparison.Ordinal))
        {
            throw OptionErrors.Invalid(option, $"{option} '{value}': '{addressText}' is not a dotted-quad IPv4 address.");
        }

        if (!int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            throw OptionErrors.Invalid(option, $"{option} '{value}': prefix length '{prefixText}' must be a number from 0 to 32.");
        }

        var ifConfig = new IfConfig(address, prefix);
        ifConfig.Check(option);
        return ifConfig;
    }

    /// <summary>Semantic check for values built in code (IPv4, prefix 0..32).</summary>
    internal void Check(string option = OptionNames.IfConfig)
    {
        if (Address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw OptionErrors.Invalid(option, $"{option} '{this}': only IPv4 is supported (as in anytun); add IPv6 addresses from the post-up script.");
        }

        if (PrefixLength is < 0 or > 32)
        {
            throw OptionErrors.Invalid(option, $"{option} '{this}': prefix length {PrefixLength} must be from 0 to 32.");
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Address}/{PrefixLength}");
}
