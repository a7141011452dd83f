using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Sync;

/// <summary>
/// Parses one archive (the L bytes after a frame's length prefix) into a command (spec §1.3). Tolerant where anytun
/// is (any whitespace, any archive version, any class version, unknown command words, trailing bytes), strict where
/// anytun would misbehave (signs, byte values above 255, undefined roles and address types, lengths beyond the
/// frame). Never throws on input; allocation is bounded by the archive size.
/// </summary>
internal static class SyncArchiveParser
{
    /// <param name="archive">The archive bytes.</param>
    /// <param name="offset">Stream offset of <paramref name="archive"/>[0], for error positions.</param>
    /// <param name="emulateReference">
    /// Behave like anytun-showtables (Boost 1.74): refuse versions above 18, and let a string that runs past the end of
    /// the buffer take what is left instead of failing (what C++ does with a truncated frame).
    /// </param>
    public static ArchiveParse Parse(ReadOnlySpan<byte> archive, long offset, bool emulateReference = false)
    {
        var result = new ArchiveParse();
        var cursor = new ArchiveCursor(archive, offset, emulateReference);
        var ok = ParseHeader(ref cursor, result, emulateReference) && ParseBody(ref cursor, result);
        if (!ok)
        {
            result.Error = cursor.Error;
        }

        return result;
    }

    // anytun's serialised classes, in the order they appear; Boost writes class info once per class.
    private const int CommandClass = 0;
    private const int ConnectionCommandClass = 1;
    private const int ConnectionParamClass = 2;
    private const int KeyDerivationClass = 3;
    private const int BufferClass = 4;
    private const int WindowClass = 5;
    private const int RouteCommandClass = 6;
    private const int PrefixClass = 7;
    private const int AddressClass = 8;

    /// <summary>What an object skipped as a Boost back-reference is reported as (reference emulation only).</summary>
    private const string BackReference = "(a back-reference to an earlier object)";

    private static bool ParseHeader(ref ArchiveCursor cursor, ArchiveParse result, bool emulateReference)
    {
        var signatureStart = cursor.PeekTokenStart();
        if (!cursor.String("the archive signature", lenient: true, out var signature))
        {
            return false;
        }

        if (!signature.SequenceEqual(SyncArchive.Signature) || cursor.LastStringOverran)
        {
            return cursor.Fail(SyncErrorKind.BadSignature, signatureStart, $"expected the Boost archive signature '22 serialization::archive', found {cursor.Excerpt(signatureStart)}");
        }

        var versionStart = cursor.PeekTokenStart();
        if (!cursor.Number(ushort.MaxValue, "the archive version", out var version))
        {
            return false;
        }

        result.ArchiveVersion = (int)version;
        if (emulateReference && version > SyncArchive.ReferenceMaxVersion)
        {
            return cursor.Fail(SyncErrorKind.UnsupportedVersion, versionStart, string.Create(CultureInfo.InvariantCulture, $"archive version {version} is newer than the {SyncArchive.ReferenceMaxVersion} Debian 12 anytun (Boost 1.74) reads"));
        }

        return true;
    }

    private static bool ParseBody(ref ArchiveCursor cursor, ArchiveParse result)
    {
        if (!cursor.ObjectStart(CommandClass, "command wrapper", out var load))
        {
            return false;
        }

        if (!load)
        {
            result.UnknownCommandWord = BackReference;
            return true;
        }

        if (!cursor.String("the command word", lenient: false, out var word))
        {
            return false;
        }

        // When the archive ends inside the word, C++ leaves the previous value ("route") in the unread part.
        var isConnection = !cursor.LastStringOverran && word.SequenceEqual("connection"u8);
        var isRoute = cursor.LastStringOverran
            ? cursor.LastStringLength == 5 && "route"u8.StartsWith(word)
            : word.SequenceEqual("route"u8);
        if (isConnection)
        {
            return ParseConnection(ref cursor, result);
        }

        if (isRoute)
        {
            return ParseRoute(ref cursor, result);
        }

        // anytun consumes the word and ignores the rest of the archive.
        result.UnknownCommandWord = ArchiveCursor.Quote(word[..Math.Min(word.Length, 40)], word.Length > 40);
        return true;
    }

    private static bool ParseConnection(ref ArchiveCursor cursor, ArchiveParse result)
    {
        if (!cursor.ObjectStart(ConnectionCommandClass, "connection command", out var load))
        {
            return false;
        }

        if (!load)
        {
            result.UnknownCommandWord = BackReference;
            return true;
        }

        if (!cursor.Number(ushort.MaxValue, "the mux of the connection command", out var mux))
        {
            return false;
        }

        result.ConnectionMux = (ushort)mux;
        if (!cursor.ObjectStart(ConnectionParamClass, "connection parameters", out load))
        {
            return false;
        }

        if (!load)
        {
            return true; // the connection exists, nothing of it was sent
        }

        ulong role = 0, keyBits = 0, window = 0, seq = 0;
        SecretBytes? salt = null;
        SecretBytes? key = null;
        try
        {
            if (!cursor.ObjectStart(KeyDerivationClass, "key derivation", out load))
            {
                return false;
            }

            if (load && !ParseKeyDerivation(ref cursor, out role, out keyBits, out salt, out key))
            {
                return false;
            }

            if (!cursor.ObjectStart(WindowClass, "sequence window", out load)
                || (load && !cursor.Number(uint.MaxValue, "the window size", out window))
                || !cursor.Number(uint.MaxValue, "the sequence counter", out seq)
                || !cursor.String("the remote host", lenient: false, out var host))
            {
                return false;
            }

            // (After a host string that ran past the end, this read fails at the end of the archive, as in C++.)
            var hostStart = cursor.Position - host.Length;
            if (!cursor.Number(ushort.MaxValue, "the remote port", out var port))
            {
                return false;
            }

            // anytun parses the host only after reading the port (ConnectionParam::serialize).
            if (!InetAddressText.TryParse(host, out var address))
            {
                return cursor.Fail(SyncErrorKind.BadAddress, hostStart, $"the remote host {ArchiveCursor.Quote(host[..Math.Min(host.Length, 48)], host.Length > 48)} is not an IPv4 or IPv6 address");
            }

            result.Command = new SyncConnectionCommand(
                (ushort)mux,
                (Role)role,
                (ushort)keyBits,
                salt ?? SecretBytes.FromBytes(default),
                key ?? SecretBytes.FromBytes(default),
                (uint)window,
                (uint)seq,
                Encoding.Latin1.GetString(host),
                address,
                (ushort)port);
            salt = null;
            key = null;
            return true;
        }
        finally
        {
            salt?.Dispose();
            key?.Dispose();
        }
    }

    private static bool ParseKeyDerivation(ref ArchiveCursor cursor, out ulong role, out ulong keyBits, out SecretBytes? salt, out SecretBytes? key)
    {
        salt = null;
        key = null;
        keyBits = 0;
        var roleStart = cursor.PeekTokenStart();
        if (!cursor.Number(uint.MaxValue, "the role", out role))
        {
            return false;
        }

        if (role > 1)
        {
            return cursor.Fail(SyncErrorKind.BadValue, roleStart, string.Create(CultureInfo.InvariantCulture, $"the role is {role}; anytun defines 0 (left) and 1 (right)"));
        }

        if (!cursor.Number(ushort.MaxValue, "the key length in bits", out keyBits))
        {
            return false;
        }

        // Salt and key are both byte buffers: class info only before the salt, an object id before each if tracked.
        return cursor.ObjectStart(BufferClass, "byte buffer", out var load)
            && (!load || ReadBytes(ref cursor, "the master salt", out salt))
            && cursor.ObjectStart(BufferClass, "byte buffer", out load)
            && (!load || ReadBytes(ref cursor, "the master key", out key));
    }

    private static bool ParseRoute(ref ArchiveCursor cursor, ArchiveParse result)
    {
        var archiveLength = cursor.Position + cursor.Remaining;
        if (!cursor.ObjectStart(RouteCommandClass, "route command", out var load))
        {
            return false;
        }

        if (!load)
        {
            result.UnknownCommandWord = BackReference;
            return true;
        }

        // A skipped (back-referenced) prefix or address keeps anytun's default: IPv4 0.0.0.0, length 0.
        ulong prefixLength = 0;
        var type = SyncAddressType.IPv4;
        string? text = "0.0.0.0";
        IPAddress? address = IPAddress.Any;
        ulong ethernet = 0;
        if (!cursor.ObjectStart(PrefixClass, "network prefix", out load))
        {
            return false;
        }

        if (load)
        {
            if (!cursor.Number(byte.MaxValue, "the prefix length", out prefixLength)
                || !cursor.ObjectStart(AddressClass, "network address", out load)
                || (load && !ParseAddress(ref cursor, out type, out text, out address, out ethernet)))
            {
                return false;
            }
        }

        // anytun has already inserted the prefix with mux 1. A failed read leaves that 1 when the input ended (the
        // stream sentry fails before anything is parsed), 0 when a non-number was there, 65535 on overflow.
        var muxAtEnd = cursor.PeekTokenStart() == archiveLength;
        if (!cursor.Number(ushort.MaxValue, "the mux of the route command", out var mux))
        {
            result.FailedRoute = new ArchiveParse.PartialRoute(type, address, (byte)prefixLength, muxAtEnd ? (ushort)1 : (ushort)mux);
            return false;
        }

        result.Command = SyncRouteCommand.FromParsed(type, text, address, ethernet, (byte)prefixLength, (ushort)mux);
        return true;
    }

    private static bool ParseAddress(ref ArchiveCursor cursor, out SyncAddressType type, out string? text, out IPAddress? address, out ulong ethernet)
    {
        type = SyncAddressType.IPv4;
        text = null;
        address = null;
        ethernet = 0;
        var typeStart = cursor.PeekTokenStart();
        if (!cursor.Number(uint.MaxValue, "the address type", out var typeValue))
        {
            return false;
        }

        if (typeValue > (ulong)SyncAddressType.Ethernet)
        {
            return cursor.Fail(SyncErrorKind.BadAddressType, typeStart, string.Create(CultureInfo.InvariantCulture, $"the address type is {typeValue}; anytun defines 0 (IPv4), 1 (IPv6) and 2 (Ethernet)"));
        }

        type = (SyncAddressType)typeValue;
        if (type == SyncAddressType.Ethernet)
        {
            return cursor.Number(ulong.MaxValue, "the Ethernet address", out ethernet);
        }

        var what = type == SyncAddressType.IPv4 ? "the IPv4 route address" : "the IPv6 route address";
        if (!cursor.String(what, lenient: false, out var bytes))
        {
            return false;
        }

        var addressStart = cursor.Position - bytes.Length;
        var parsedText = cursor.LastStringOverran
            ? Overrun(bytes, cursor.LastStringLength, type == SyncAddressType.IPv4 ? "0.0.0.0"u8 : "::"u8)
            : bytes.ToArray();
        if (!SyncRouteCommand.TryParseAddress(type, parsedText, out var parsed))
        {
            return cursor.Fail(SyncErrorKind.BadAddress, addressStart, $"{what} {ArchiveCursor.Quote(bytes[..Math.Min(bytes.Length, 48)], bytes.Length > 48)} is not an {type} address");
        }

        text = Encoding.Latin1.GetString(parsedText);
        address = parsed;
        return true;
    }

    /// <summary>
    /// What boost's string load leaves when the archive ends early: the string keeps its previous value (anytun
    /// initialises the address string with the default address), resized to the declared length, with the bytes
    /// that did arrive written over its start; boost then parses it up to the first NUL (c_str()).
    /// </summary>
    private static byte[] Overrun(ReadOnlySpan<byte> arrived, ulong declared, ReadOnlySpan<byte> previous)
    {
        var keep = (int)Math.Min(declared, (ulong)previous.Length);
        var text = new byte[Math.Max(arrived.Length, keep)];
        previous[..keep].CopyTo(text);
        arrived.CopyTo(text);
        var nul = Array.IndexOf(text, (byte)0);
        return nul < 0 ? text : text[..nul];
    }

    /// <summary>
    /// A byte buffer: a uint32 count, then that many decimal bytes. The count is checked against the frame before
    /// anything is allocated (each byte needs at least two characters), and the scratch copy is zeroed.
    /// </summary>
    private static bool ReadBytes(ref ArchiveCursor cursor, string what, [NotNullWhen(true)] out SecretBytes? bytes)
    {
        bytes = null;
        var countStart = cursor.PeekTokenStart();
        if (!cursor.Number(uint.MaxValue, $"the byte count of {what}", out var count))
        {
            return false;
        }

        var room = (ulong)(cursor.Remaining + 1) / 2;
        if (count > room)
        {
            return cursor.Fail(SyncErrorKind.LengthExceedsFrame, countStart, string.Create(CultureInfo.InvariantCulture, $"{what} claims {count} bytes but the frame has room for at most {room}"));
        }

        var scratch = ArrayPool<byte>.Shared.Rent((int)count);
        try
        {
            for (var i = 0; i < (int)count; i++)
            {
                if (!cursor.Number(byte.MaxValue, what == "the master salt" ? "a master salt byte" : "a master key byte", out var value, quote: false))
                {
                    return false;
                }

                scratch[i] = (byte)value;
            }

            bytes = SecretBytes.FromBytes(scratch.AsSpan(0, (int)count));
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scratch.AsSpan(0, (int)count));
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
