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

    private static bool ParseHeader(ref ArchiveCursor cursor, ArchiveParse result, bool emulateReference)
    {
        var signatureStart = cursor.PeekTokenStart();
        if (!cursor.String("the archive signature", lenient: true, out var signature))
        {
            return false;
        }

        if (!signature.SequenceEqual(SyncArchive.Signature))
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

        return cursor.ClassInfo("command wrapper");
    }

    private static bool ParseBody(ref ArchiveCursor cursor, ArchiveParse result)
    {
        if (!cursor.String("the command word", lenient: false, out var word))
        {
            return false;
        }

        if (word.SequenceEqual("connection"u8))
        {
            return ParseConnection(ref cursor, result);
        }

        if (word.SequenceEqual("route"u8))
        {
            return ParseRoute(ref cursor, result);
        }

        // anytun consumes the word and ignores the rest of the archive.
        result.UnknownCommandWord = ArchiveCursor.Quote(word[..Math.Min(word.Length, 40)], word.Length > 40);
        return true;
    }

    private static bool ParseConnection(ref ArchiveCursor cursor, ArchiveParse result)
    {
        if (!cursor.ClassInfo("connection command")
            || !cursor.Number(ushort.MaxValue, "the mux of the connection command", out var mux))
        {
            return false;
        }

        result.ConnectionMux = (ushort)mux;
        if (!cursor.ClassInfo("connection parameters")
            || !cursor.ClassInfo("key derivation"))
        {
            return false;
        }

        var roleStart = cursor.PeekTokenStart();
        if (!cursor.Number(uint.MaxValue, "the role", out var role))
        {
            return false;
        }

        if (role > 1)
        {
            return cursor.Fail(SyncErrorKind.BadValue, roleStart, string.Create(CultureInfo.InvariantCulture, $"the role is {role}; anytun defines 0 (left) and 1 (right)"));
        }

        if (!cursor.Number(ushort.MaxValue, "the key length in bits", out var keyBits)
            || !cursor.ClassInfo("byte buffer"))
        {
            return false;
        }

        SecretBytes? salt = null;
        SecretBytes? key = null;
        try
        {
            if (!ReadBytes(ref cursor, "the master salt", out salt) || !ReadBytes(ref cursor, "the master key", out key))
            {
                return false;
            }

            if (!cursor.ClassInfo("sequence window")
                || !cursor.Number(uint.MaxValue, "the window size", out var window)
                || !cursor.Number(uint.MaxValue, "the sequence counter", out var seq))
            {
                return false;
            }

            if (!cursor.String("the remote host", lenient: false, out var host))
            {
                return false;
            }

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
                (ushort)mux, (Role)role, (ushort)keyBits, salt, key, (uint)window, (uint)seq, Encoding.Latin1.GetString(host), address, (ushort)port);
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

    private static bool ParseRoute(ref ArchiveCursor cursor, ArchiveParse result)
    {
        if (!cursor.ClassInfo("route command")
            || !cursor.ClassInfo("network prefix")
            || !cursor.Number(byte.MaxValue, "the prefix length", out var prefixLength)
            || !cursor.ClassInfo("network address"))
        {
            return false;
        }

        var typeStart = cursor.PeekTokenStart();
        if (!cursor.Number(uint.MaxValue, "the address type", out var typeValue))
        {
            return false;
        }

        if (typeValue > (ulong)SyncAddressType.Ethernet)
        {
            return cursor.Fail(SyncErrorKind.BadAddressType, typeStart, string.Create(CultureInfo.InvariantCulture, $"the address type is {typeValue}; anytun defines 0 (IPv4), 1 (IPv6) and 2 (Ethernet)"));
        }

        var type = (SyncAddressType)typeValue;
        string? text = null;
        IPAddress? address = null;
        ulong ethernet = 0;
        if (type == SyncAddressType.Ethernet)
        {
            if (!cursor.Number(ulong.MaxValue, "the Ethernet address", out ethernet))
            {
                return false;
            }
        }
        else
        {
            var what = type == SyncAddressType.IPv4 ? "the IPv4 route address" : "the IPv6 route address";
            if (!cursor.String(what, lenient: false, out var bytes))
            {
                return false;
            }

            var addressStart = cursor.Position - bytes.Length;

            if (!SyncRouteCommand.TryParseAddress(type, bytes, out var parsed))
            {
                return cursor.Fail(SyncErrorKind.BadAddress, addressStart, $"{what} {ArchiveCursor.Quote(bytes[..Math.Min(bytes.Length, 48)], bytes.Length > 48)} is not an {type} address");
            }

            text = Encoding.Latin1.GetString(bytes);
            address = parsed;
        }

        if (!cursor.Number(ushort.MaxValue, "the mux of the route command", out var mux))
        {
            result.FailedRoute = new ArchiveParse.PartialRoute(type, address, (byte)prefixLength, (ushort)mux);
            return false;
        }

        result.Command = SyncRouteCommand.FromParsed(type, text, address, ethernet, (byte)prefixLength, (ushort)mux);
        return true;
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
