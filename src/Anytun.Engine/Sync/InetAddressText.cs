using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Anytun.Engine.Sync;

/// <summary>
/// IP address text exactly as anytun reads and writes it: boost::asio's <c>from_string</c> / <c>to_string</c>, which
/// are glibc <c>inet_pton</c> / <c>inet_ntop</c> plus boost's "%zone" handling. Stricter than
/// <see cref="IPAddress.TryParse(string, out IPAddress)"/> on purpose (no "1.2.3", no octal, no leading zeros), so a
/// string we accept is one a real anytun accepts too, and a string we print is the one it prints.
/// </summary>
internal static class InetAddressText
{
    /// <summary>Longest text we look at (boost refuses longer IPv6 texts before the zone as well).</summary>
    private const int MaxLength = 256;

    /// <summary>boost <c>address::from_string</c>: IPv6 first, then IPv4.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out IPAddress address) =>
        TryParseIPv6(text, out address) || TryParseIPv4(text, out address);

    public static bool TryParse(string text, out IPAddress address) => TryParse(Ascii(text), out address);

    /// <summary>glibc <c>inet_pton(AF_INET)</c>: four decimal octets 0..255, no leading zeros, nothing else.</summary>
    public static bool TryParseIPv4(ReadOnlySpan<byte> text, out IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (text.Length <= MaxLength && TryParseIPv4Bytes(text, bytes))
        {
            address = new IPAddress(bytes);
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    /// <summary>
    /// glibc <c>inet_pton(AF_INET6)</c> on the text before a '%'; whatever follows '%' is the zone. Like boost, a zone
    /// becomes a numeric scope id (its leading digits, as <c>atoi</c>); boost additionally maps interface names of
    /// link-local addresses through the local interface table, which we do not (the result would depend on the host).
    /// </summary>
    public static bool TryParseIPv6(ReadOnlySpan<byte> text, out IPAddress address)
    {
        address = IPAddress.IPv6None;
        if (text.Length > MaxLength)
        {
            return false;
        }

        var percent = text.IndexOf((byte)'%');
        var body = percent < 0 ? text : text[..percent];
        Span<byte> bytes = stackalloc byte[16];
        if (!TryParseIPv6Bytes(body, bytes))
        {
            return false;
        }

        long scope = percent < 0 ? 0 : LeadingNumber(text[(percent + 1)..]);
        address = new IPAddress(bytes, scope);
        return true;
    }

    /// <summary>glibc <c>inet_ntop</c> (+ "%scope" when the scope id is not 0), i.e. what anytun prints.</summary>
    public static string Format(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return string.Create(CultureInfo.InvariantCulture, $"{bytes[0]}.{bytes[1]}.{bytes[2]}.{bytes[3]}");
        }

        address.TryWriteBytes(bytes, out _);
        var text = FormatIPv6(bytes);
        return address.ScopeId == 0 ? text : string.Create(CultureInfo.InvariantCulture, $"{text}%{address.ScopeId}");
    }

    private static bool TryParseIPv4Bytes(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        var octets = 0;
        var sawDigit = false;
        var current = 0;
        foreach (var c in text)
        {
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                if (sawDigit && current == 0)
                {
                    return false; // leading zero
                }

                current = (current * 10) + (c - '0');
                if (current > 255)
                {
                    return false;
                }

                if (!sawDigit)
                {
                    if (++octets > 4)
                    {
                        return false;
                    }

                    sawDigit = true;
                }

                destination[octets - 1] = (byte)current;
            }
            else if (c == '.' && sawDigit)
            {
                if (octets == 4)
                {
                    return false;
                }

                sawDigit = false;
                current = 0;
            }
            else
            {
                return false;
            }
        }

        return octets == 4 && sawDigit;
    }

    /// <summary>A transcription of glibc's inet_pton6 (resolv/inet_pton.c) into spans.</summary>
    private static bool TryParseIPv6Bytes(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        destination.Clear();
        if (text.IsEmpty)
        {
            return false;
        }

        var i = 0;
        if (text[0] == ':')
        {
            i++;
            if (i == text.Length || text[i] != ':')
            {
                return false;
            }
        }

        var tp = 0;
        var colon = -1;
        var tokenStart = i;
        var digits = 0;
        var value = 0;
        while (i < text.Length)
        {
            var c = text[i++];
            var digit = HexValue(c);
            if (digit >= 0)
            {
                if (digits == 4)
                {
                    return false;
                }

                value = (value << 4) | digit;
                digits++;
                continue;
            }

            if (c == ':')
            {
                tokenStart = i;
                if (digits == 0)
                {
                    if (colon >= 0)
                    {
                        return false;
                    }

                    colon = tp;
                    continue;
                }

                if (i == text.Length || tp + 2 > 16)
                {
                    return false;
                }

                destination[tp++] = (byte)(value >> 8);
                destination[tp++] = (byte)value;
                digits = 0;
                value = 0;
                continue;
            }

            if (c == '.' && tp + 4 <= 16 && TryParseIPv4Bytes(text[tokenStart..], destination.Slice(tp, 4)))
            {
                tp += 4;
                digits = 0;
                break;
            }

            return false;
        }

        if (digits > 0)
        {
            if (tp + 2 > 16)
            {
                return false;
            }

            destination[tp++] = (byte)(value >> 8);
            destination[tp++] = (byte)value;
        }

        if (colon >= 0)
        {
            if (tp == 16)
            {
                return false; // "::" would stand for zero groups
            }

            var tail = tp - colon;
            destination.Slice(colon, tail).CopyTo(destination.Slice(16 - tail, tail));
            destination.Slice(colon, 16 - tail - colon).Clear();
            tp = 16;
        }

        return tp == 16;
    }

    /// <summary>glibc inet_ntop6: the longest run (first if tied) of two or more zero groups becomes "::".</summary>
    private static string FormatIPv6(ReadOnlySpan<byte> bytes)
    {
        Span<int> words = stackalloc int[8];
        for (var i = 0; i < 8; i++)
        {
            words[i] = (bytes[2 * i] << 8) | bytes[(2 * i) + 1];
        }

        int bestBase = -1, bestLength = 0, currentBase = -1, currentLength = 0;
        for (var i = 0; i < 8; i++)
        {
            if (words[i] == 0)
            {
                if (currentBase < 0)
                {
                    currentBase = i;
                    currentLength = 1;
                }
                else
                {
                    currentLength++;
                }
            }
            else if (currentBase >= 0)
            {
                if (bestBase < 0 || currentLength > bestLength)
                {
                    (bestBase, bestLength) = (currentBase, currentLength);
                }

                currentBase = -1;
            }
        }

        if (currentBase >= 0 && (bestBase < 0 || currentLength > bestLength))
        {
            (bestBase, bestLength) = (currentBase, currentLength);
        }

        if (bestBase >= 0 && bestLength < 2)
        {
            bestBase = -1;
        }

        var text = new StringBuilder(46);
        for (var i = 0; i < 8; i++)
        {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLength)
            {
                if (i == bestBase)
                {
                    text.Append(':');
                }

                continue;
            }

            if (i != 0)
            {
                text.Append(':');
            }

            if (i == 6 && bestBase == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xffff)))
            {
                text.Append(CultureInfo.InvariantCulture, $"{bytes[12]}.{bytes[13]}.{bytes[14]}.{bytes[15]}");
                return text.ToString();
            }

            text.Append(words[i].ToString("x", CultureInfo.InvariantCulture));
        }

        if (bestBase >= 0 && bestBase + bestLength == 8)
        {
            text.Append(':');
        }

        return text.ToString();
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>The leading decimal digits of a zone, as a scope id (0 when there are none, as atoi).</summary>
    private static long LeadingNumber(ReadOnlySpan<byte> zone)
    {
        long value = 0;
        foreach (var c in zone)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                break;
            }

            value = (value * 10) + (c - '0');
            if (value > uint.MaxValue)
            {
                return 0;
            }
        }

        return value;
    }

    /// <summary>Non-ASCII characters can never be part of an address; map them to a byte that is invalid everywhere.</summary>
    private static byte[] Ascii(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = new byte[Math.Min(text.Length, MaxLength + 1)];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = text[i] < 128 ? (byte)text[i] : (byte)0xff;
        }

        return bytes;
    }
}
