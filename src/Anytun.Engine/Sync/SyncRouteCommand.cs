using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Anytun.Engine.Sync;

/// <summary>
/// A "route" sync command (spec §1.3.2): prefix → mux. Wire-level: the address is kept exactly as written (host bits
/// are not masked) and the prefix length is the raw byte (receivers clamp it to 32/128/48).
/// </summary>
public sealed class SyncRouteCommand : SyncCommand
{
    private SyncRouteCommand(SyncAddressType addressType, string? addressText, IPAddress? address, ulong ethernetAddress, byte prefixLength, ushort mux)
    {
        AddressType = addressType;
        AddressText = addressText;
        Address = address;
        EthernetAddress = ethernetAddress;
        PrefixLength = prefixLength;
        Mux = mux;
    }

    public override string CommandWord => SyncArchive.RouteWord;

    public SyncAddressType AddressType { get; }

    /// <summary>The IPv4/IPv6 address exactly as written on the wire; null for Ethernet routes.</summary>
    public string? AddressText { get; }

    /// <summary><see cref="AddressText"/> parsed; null for Ethernet routes.</summary>
    public IPAddress? Address { get; }

    /// <summary>The MAC address as anytun's 64-bit integer (Ethernet routes only).</summary>
    public ulong EthernetAddress { get; }

    /// <summary>The prefix length as carried (0..255; anytun clamps it to the address size when it installs the route).</summary>
    public byte PrefixLength { get; }

    /// <summary>The mux the prefix routes to.</summary>
    public ushort Mux { get; }

    /// <summary>
    /// Whether a real anytun 0.3.8 hangs installing this prefix (spec §1.5 route step 4): the length, after clamping,
    /// is not a multiple of 8 and the partial octet's top bits are all ones (e.g. 10.0.0.128/25, 10.128.0.0/9).
    /// </summary>
    public bool HangsReferenceImplementation => ReferenceRouteBug.Hangs(AddressType, Address, EthernetAddress, PrefixLength);

    /// <summary>An IPv4/IPv6 route; the address text is written as anytun prints it (inet_ntop form).</summary>
    public static SyncRouteCommand Create(IPAddress address, byte prefixLength, ushort mux)
    {
        ArgumentNullException.ThrowIfNull(address);
        var type = address.AddressFamily switch
        {
            AddressFamily.InterNetwork => SyncAddressType.IPv4,
            AddressFamily.InterNetworkV6 => SyncAddressType.IPv6,
            _ => throw new ArgumentException($"{address.AddressFamily} is not IPv4 or IPv6.", nameof(address)),
        };
        return new SyncRouteCommand(type, InetAddressText.Format(address), address, 0, prefixLength, mux);
    }

    /// <summary>A route whose address text is kept verbatim; it must parse as <paramref name="addressType"/>.</summary>
    /// <exception cref="ArgumentException">The text is not an address of that type as anytun reads it.</exception>
    public static SyncRouteCommand FromText(SyncAddressType addressType, string addressText, byte prefixLength, ushort mux)
    {
        ArgumentNullException.ThrowIfNull(addressText);
        if (!TryParseAddress(addressType, Encoding.Latin1.GetBytes(addressText), out var address))
        {
            throw new ArgumentException($"'{addressText}' is not an {addressType} address in the form anytun reads.", nameof(addressText));
        }

        return new SyncRouteCommand(addressType, addressText, address, 0, prefixLength, mux);
    }

    /// <summary>An Ethernet route (anytun stores these but never routes by them).</summary>
    public static SyncRouteCommand CreateEthernet(ulong ethernetAddress, byte prefixLength, ushort mux) =>
        new(SyncAddressType.Ethernet, null, null, ethernetAddress, prefixLength, mux);

    /// <summary>"10.0.0.0/8 -> 3" (the Ethernet address as its integer).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{FormatPrefixAddress()}/{PrefixLength} -> {Mux}");

    internal static SyncRouteCommand FromParsed(SyncAddressType type, string? text, IPAddress? address, ulong ethernet, byte prefixLength, ushort mux) =>
        new(type, text, address, ethernet, prefixLength, mux);

    internal static bool TryParseAddress(SyncAddressType type, ReadOnlySpan<byte> text, out IPAddress address)
    {
        switch (type)
        {
            case SyncAddressType.IPv4:
                return InetAddressText.TryParseIPv4(text, out address);
            case SyncAddressType.IPv6:
                return InetAddressText.TryParseIPv6(text, out address);
            default:
                address = IPAddress.None;
                return false;
        }
    }

    private string FormatPrefixAddress() => AddressType == SyncAddressType.Ethernet
        ? EthernetAddress.ToString(CultureInfo.InvariantCulture)
        : AddressText!;
}
