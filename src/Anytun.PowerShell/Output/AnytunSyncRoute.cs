using Anytun.Engine.Routing;
using Anytun.Engine.Sync;

namespace Anytun;

/// <summary>
/// A route entry of a sync stream or connection table (ConvertFrom-AnytunSyncStream): what anytun-showtables prints as
/// "Route: &lt;prefix&gt; -&gt; &lt;mux&gt;".
/// </summary>
public sealed class AnytunSyncRoute : AnytunSyncEntry
{
    internal AnytunSyncRoute(SyncRouteCommand command, string source, long offset, int? line)
        : base("Route", command.Mux, source, offset, line)
    {
        AddressType = command.AddressType.ToString();
        Address = command.AddressText ?? command.EthernetAddress.ToString(System.Globalization.CultureInfo.InvariantCulture);
        PrefixLength = command.PrefixLength;
        var max = command.AddressType == SyncAddressType.IPv4 ? 32 : 128;
        if (command.Address is { } address && command.PrefixLength <= max)
        {
            DestinationPrefix = new IPPrefix(address, command.PrefixLength);
        }

        HangsReferenceImplementation = command.HangsReferenceImplementation;
    }

    /// <summary>The prefix as given (host bits kept); null for Ethernet routes and lengths beyond the family.</summary>
    public IPPrefix? DestinationPrefix { get; }

    /// <summary>IPv4, IPv6 or Ethernet.</summary>
    public string AddressType { get; }

    /// <summary>The address exactly as written (the MAC as a number for Ethernet).</summary>
    public string Address { get; }

    public int PrefixLength { get; }

    /// <summary>True when a real anytun 0.3.8 loops forever installing this prefix (e.g. 10.0.0.128/25).</summary>
    public bool HangsReferenceImplementation { get; }

    public override string Entry => $"{Address}/{PrefixLength}";

    public override string ToString() => $"Route: {Entry} -> {Mux}";
}
