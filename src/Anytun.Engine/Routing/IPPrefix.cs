using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Anytun.Engine.Routing;

/// <summary>
/// An IPv4 or IPv6 prefix (<c>10.0.0.0/8</c>, <c>fd00::/8</c>). The address is kept exactly as given, because anytun's
/// sync writes it unmasked (spec §1.3.2); identity, ordering and <see cref="ToString"/> use the masked
/// <see cref="Network"/>, so <c>10.0.0.1/24</c> and <c>10.0.0.0/24</c> are the same route.
/// <c>default(IPPrefix)</c> is <c>0.0.0.0/0</c>.
/// </summary>
public readonly struct IPPrefix : IEquatable<IPPrefix>, IComparable<IPPrefix>
{
    private readonly IPAddress? _address;

    // The masked network as a 128-bit number: IPv4 in the low 32 bits, IPv6 as its 16 bytes big-endian.
    private readonly UInt128 _network;

    /// <summary>Creates a prefix; throws <see cref="AnytunException"/> (<see cref="AnytunErrorCode.InvalidPrefix"/>)
    /// when the length does not fit the family or the address is not IPv4/IPv6.</summary>
    public IPPrefix(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var error = Check(address, prefixLength);
        if (error is not null)
        {
            throw Invalid($"{address}/{prefixLength.ToString(CultureInfo.InvariantCulture)}", error);
        }

        _address = address;
        PrefixLength = prefixLength;
        _network = Mask(ToNumber(address), prefixLength, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
    }

    /// <summary>The address as given (host bits may be set).</summary>
    public IPAddress Address => _address ?? IPAddress.Any;

    public int PrefixLength { get; }

    /// <summary><see cref="AddressFamily.InterNetwork"/> or <see cref="AddressFamily.InterNetworkV6"/>.</summary>
    public AddressFamily Family => Address.AddressFamily;

    public bool IsIPv4 => Family == AddressFamily.InterNetwork;

    /// <summary>32 for IPv4, 128 for IPv6.</summary>
    public int MaxLength => IsIPv4 ? 32 : 128;

    /// <summary>The address with the host bits cleared.</summary>
    public IPAddress Network
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            if (IsIPv4)
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)_network);
                return new IPAddress(bytes[..4]);
            }

            BinaryPrimitives.WriteUInt128BigEndian(bytes, _network);
            return new IPAddress(bytes);
        }
    }

    /// <summary>The masked network as a number (IPv4 in the low 32 bits, IPv6 big-endian; used by the route table).</summary>
    internal UInt128 NetworkNumber => _network;

    /// <summary>True when <paramref name="address"/> is of this family and inside the prefix.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != Family)
        {
            return false;
        }

        return Mask(ToNumber(address), PrefixLength, MaxLength) == _network;
    }

    /// <summary>
    /// Parses <c>address/length</c> or a bare address (a host route: /32 or /128). IPv4 must be a dotted quad of
    /// decimal numbers 0..255 without leading zeros (as inet_pton); IPv6 any RFC 4291 text form, without a zone.
    /// </summary>
    /// <exception cref="AnytunException"><see cref="AnytunErrorCode.InvalidPrefix"/> naming what is wrong.</exception>
    public static IPPrefix Parse(string text)
    {
        if (!TryParse(text, out var prefix, out var error))
        {
            throw Invalid(text ?? string.Empty, error);
        }

        return prefix;
    }

    /// <summary>Like <see cref="Parse"/> without the exception.</summary>
    public static bool TryParse(string? text, out IPPrefix prefix) => TryParse(text, out prefix, out _);

    /// <summary>Like <see cref="Parse"/>; <paramref name="error"/> says what is wrong (for messages).</summary>
    public static bool TryParse(string? text, out IPPrefix prefix, out string error)
    {
        prefix = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a prefix is address/length, e.g. 10.0.0.0/8 or fd00::/8; got an empty string";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text.AsSpan() : text.AsSpan(0, slash);
        if (!TryParseAddress(addressText, out var address))
        {
            error = $"'{addressText.ToString()}' is not an IPv4 address (a.b.c.d) or an IPv6 address";
            return false;
        }

        var maxLength = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var length = maxLength;
        if (slash >= 0)
        {
            var lengthText = text.AsSpan(slash + 1);
            if (lengthText.IsEmpty || lengthText.Length > 3
                || !int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out length)
                || length > maxLength)
            {
                error = $"the prefix length '{lengthText.ToString()}' must be a number from 0 to {maxLength.ToString(CultureInfo.InvariantCulture)}";
                return false;
            }
        }

        prefix = new IPPrefix(address, length);
        error = string.Empty;
        return true;
    }

    /// <summary>Canonical text of the masked network: <c>10.0.0.0/24</c>, <c>fd00::/8</c>.</summary>
    public override string ToString() => $"{Network}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The address as given with the length (<c>10.0.0.1/24</c>): what anytun writes and -R round-trips.</summary>
    public string ToUnmaskedString() => $"{Address}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    public bool Equals(IPPrefix other) => Family == other.Family && PrefixLength == other.PrefixLength && _network == other._network;

    public override bool Equals(object? obj) => obj is IPPrefix other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(IsIPv4, PrefixLength, _network);

    /// <summary>anytun's dump order (spec §1.4): IPv4 before IPv6, then prefix length ascending, then network ascending.</summary>
    public int CompareTo(IPPrefix other)
    {
        if (IsIPv4 != other.IsIPv4)
        {
            return IsIPv4 ? -1 : 1;
        }

        var byLength = PrefixLength.CompareTo(other.PrefixLength);
        return byLength != 0 ? byLength : _network.CompareTo(other._network);
    }

    public static bool operator ==(IPPrefix left, IPPrefix right) => left.Equals(right);

    public static bool operator !=(IPPrefix left, IPPrefix right) => !left.Equals(right);

    /// <summary>Clears everything but the first <paramref name="length"/> of <paramref name="bits"/> bits.</summary>
    internal static UInt128 Mask(UInt128 value, int length, int bits)
    {
        if (length == 0)
        {
            return UInt128.Zero;
        }

        var mask = UInt128.MaxValue << (bits - length);
        if (bits == 32)
        {
            mask &= uint.MaxValue;
        }

        return value & mask;
    }

    private static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static string? Check(IPAddress address, int prefixLength)
    {
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return "only IPv4 and IPv6 prefixes are supported";
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            return "a route prefix has no zone (%scope)";
        }

        var maxLength = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        return prefixLength < 0 || prefixLength > maxLength
            ? $"the prefix length must be a number from 0 to {maxLength.ToString(CultureInfo.InvariantCulture)}"
            : null;
    }

    private static bool TryParseAddress(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.Any;
        if (text.Contains(':'))
        {
            // IPv6 (IPAddress.TryParse also accepts zones and brackets; a route has neither).
            if (text.Contains('%') || text.Contains('[') || !IPAddress.TryParse(text, out var parsed)
                || parsed.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = parsed;
            return true;
        }

        // IPv4: exactly four decimal parts. IPAddress.TryParse would also take "10", "10.1" or "0x0a.0.0.1".
        Span<byte> bytes = stackalloc byte[4];
        var part = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
            {
                continue;
            }

            var piece = text[start..i];
            if (part == 4 || piece.IsEmpty || piece.Length > 3 || (piece.Length > 1 && piece[0] == '0')
                || !int.TryParse(piece, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 255)
            {
                return false;
            }

            bytes[part++] = (byte)value;
            start = i + 1;
        }

        if (part != 4)
        {
            return false;
        }

        address = new IPAddress(bytes);
        return true;
    }

    private static AnytunException Invalid(string text, string reason) =>
        new(AnytunErrorCode.InvalidPrefix, $"'{text}' is not a valid prefix: {reason}.", text);
}
