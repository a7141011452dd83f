using System.Net;
using System.Text;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;
using Anytun.Engine.Sync;
using CsCheck;

namespace Anytun.Engine.Tests.Fuzzing;

/// <summary>
/// Generators for the sync reader fuzz targets: valid command streams from our writer, those streams mutated
/// (bit flips, truncation, length-prefix changes, huge lengths, garbage, whitespace variants, unknown command words,
/// bad addresses, splices), token soups that reach deep into the parser, and plain random bytes. Shared by the xunit
/// property tests and bench/Anytun.Fuzz.
/// </summary>
public static class SyncFuzzInputs
{
    private static readonly string[] Vocabulary =
    {
        "22", "serialization::archive", "18", "19", "3", "0", "0", "0", "1", "2", "5", "9", "10", "14", "16", "24", "32", "64",
        "128", "255", "256", "4444", "65535", "65536", "4294967295", "99999999999999999999", "connection", "route", "hello",
        "192.0.2.0", "10.1.2.3x", "::", "0.0.0.0", "2001:db8::5", "fe80::1%5", "-1", "+3", "00072", "x", "\n", "\t",
    };

    public static Gen<IPAddress> IPv4 { get; } = Gen.UInt.Select(v => new IPAddress(BitConverter.GetBytes(v)));

    public static Gen<IPAddress> IPv6 { get; } = Gen.Byte.Array[16].Select(b => new IPAddress(b));

    /// <summary>Connection commands over the whole value space (the caller disposes them).</summary>
    public static Gen<SyncConnectionCommand> Connection { get; } =
        Gen.Select(
            Gen.Select(Gen.UShort, Gen.Bool, Gen.OneOf(Gen.Const((ushort)0), Gen.Const((ushort)128), Gen.Const((ushort)192), Gen.Const((ushort)256), Gen.UShort)),
            Gen.Select(Gen.Byte.Array[0, 20], Gen.Byte.Array[0, 40]),
            Gen.Select(Gen.UInt, Gen.UInt),
            Gen.Select(Gen.Frequency((2, IPv4), (2, IPv6), (1, Gen.Const(IPAddress.Any)), (1, Gen.Const(IPAddress.IPv6Any))), Gen.UShort),
            (a, keys, counters, remote) =>
            {
                using var salt = SecretBytes.FromBytes(keys.Item1);
                using var key = SecretBytes.FromBytes(keys.Item2);
                return SyncConnectionCommand.Create(a.Item1, a.Item2 ? Role.Right : Role.Left, a.Item3, salt, key, counters.Item1, counters.Item2, new IPEndPoint(remote.Item1, remote.Item2));
            });

    /// <summary>Routes of every family and any prefix length.</summary>
    public static Gen<SyncRouteCommand> Route { get; } = Gen.Frequency(
        (3, Gen.Select(IPv4, Gen.Byte, Gen.UShort, (a, l, m) => SyncRouteCommand.Create(a, (byte)(l % 33), m))),
        (2, Gen.Select(IPv6, Gen.Byte, Gen.UShort, (a, l, m) => SyncRouteCommand.Create(a, (byte)(l % 129), m))),
        (1, Gen.Select(Gen.ULong, Gen.Byte, Gen.UShort, SyncRouteCommand.CreateEthernet)));

    public static Gen<SyncCommand> Command { get; } = Gen.Frequency((1, Connection.Select(c => (SyncCommand)c)), (1, Route.Select(r => (SyncCommand)r)));

    /// <summary>1..6 commands back to back, as our writer sends them.</summary>
    public static Gen<byte[]> ValidStream { get; } = Command.Array[1, 6].Select(Encode);

    private delegate byte[] Mutate(byte[] input, byte[] other);

    private static Gen<Mutate> Mutation { get; } = Gen.Frequency(
        (3, Gen.Select(Gen.Int, Gen.Int[0, 7], (p, bit) => (Mutate)((b, _) => With(b, p, x => x[p.Mod(x.Length)] ^= (byte)(1 << bit))))),
        (2, Gen.Int.Select(n => (Mutate)((b, _) => b[..n.Mod(b.Length + 1)]))),
        (2, Gen.Select(Gen.Int, Gen.Byte, (p, v) => (Mutate)((b, _) => b.Length == 0 ? b : [.. b[..p.Mod(b.Length)], v, .. b[p.Mod(b.Length)..]]))),
        (2, Gen.Select(Gen.Int, Gen.Int[1, 8], (p, n) => (Mutate)((b, _) => Delete(b, p.Mod(b.Length + 1), n)))),
        (2, Gen.Select(Gen.Int, Gen.OneOf(Gen.Const("99999"), Gen.Const("00000"), Gen.Const("-0001"), Gen.Const("  072"), Gen.Const("abcde"), Gen.Const("00300")), (p, prefix) => (Mutate)((b, _) => ReplaceLength(b, p, prefix)))),
        (2, Gen.Select(Gen.Int, Gen.Int[-3, 3], (p, delta) => (Mutate)((b, _) => ShiftLength(b, p, delta)))),
        (2, Gen.Select(Gen.Int, Gen.Byte.Array[1, 12], (p, junk) => (Mutate)((b, _) => [.. b[..p.Mod(b.Length + 1)], .. junk, .. b[p.Mod(b.Length + 1)..]]))),
        (2, Gen.Select(Gen.Int, Gen.OneOf(Gen.Const("\t"), Gen.Const("\n"), Gen.Const("\r\n"), Gen.Const("  "), Gen.Const("\v\f")), (p, space) => (Mutate)((b, _) => ReplaceSpace(b, p, space)))),
        (1, Gen.OneOf(Gen.Const("hello"), Gen.Const("routes"), Gen.Const("connectio"), Gen.Const(string.Empty)).Select(word => (Mutate)((b, _) => ReplaceWord(b, word)))),
        (1, Gen.OneOf(Gen.Const("10.1.2.3x"), Gen.Const("999.1.1.1"), Gen.Const("::g"), Gen.Const(string.Empty), Gen.Const("1.2.3.4%x"), Gen.Const("[::]")).Select(address => (Mutate)((b, _) => ReplaceAddress(b, address)))),
        (1, Gen.Const((Mutate)((b, other) => [.. b, .. other]))),
        (1, Gen.Const((Mutate)((b, _) => [.. b, .. b]))));

    /// <summary>A valid stream with 1..4 mutations applied.</summary>
    public static Gen<byte[]> MutatedStream { get; } = Gen.Select(ValidStream, Mutation.Array[1, 4], ValidStream, (stream, mutations, other) =>
    {
        var bytes = stream;
        foreach (var mutation in mutations)
        {
            bytes = mutation(bytes, other);
        }

        return bytes;
    });

    /// <summary>Vocabulary tokens joined by whitespace, framed with a correct length, 1..3 frames.</summary>
    public static Gen<byte[]> TokenSoup { get; } = Gen.Select(Gen.Int[0, Vocabulary.Length - 1].Array[0, 60], Gen.OneOf(Gen.Const(" "), Gen.Const("\n"), Gen.Const("  ")), (tokens, space) =>
    {
        var archive = "22 serialization::archive 18 0 0 " + string.Join(space, tokens.Select(t => Vocabulary[t]));
        return Encoding.Latin1.GetBytes($"{archive.Length:00000} {archive}");
    }).Array[1, 3].Select(frames => frames.SelectMany(f => f).ToArray());

    public static Gen<byte[]> RandomBytes { get; } = Gen.Byte.Array[0, 300];

    /// <summary>Everything the sync reader is fed.</summary>
    public static Gen<byte[]> AnyInput { get; } = Gen.Frequency((4, MutatedStream), (2, TokenSoup), (1, RandomBytes), (1, ValidStream));

    /// <summary>A table file: frames with newlines, sometimes CRLF, blank or comment lines, or chomped.</summary>
    public static Gen<byte[]> TableFile { get; } = Gen.Select(Command.Array[0, 5], Gen.Int[0, 4], AnyInput, (commands, style, garbage) =>
    {
        var file = SyncTableFile.Encode(commands);
        DisposeAll(commands);
        return style switch
        {
            0 => file,
            1 => SyncTableFile.ToStream(file),
            2 => Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(file).Replace("\n", "\r\n", StringComparison.Ordinal)),
            3 => [.. file, .. "# comment\n\n"u8.ToArray(), .. garbage],
            _ => [.. garbage, (byte)'\n', .. file],
        };
    });

    public static byte[] Encode(SyncCommand[] commands)
    {
        try
        {
            return SyncWriter.EncodeStream(commands);
        }
        finally
        {
            DisposeAll(commands);
        }
    }

    private static void DisposeAll(IEnumerable<SyncCommand> commands)
    {
        foreach (var command in commands)
        {
            (command as IDisposable)?.Dispose();
        }
    }

    private static int Mod(this int value, int modulus) => modulus == 0 ? 0 : (int)((uint)value % (uint)modulus);

    private static byte[] With(byte[] bytes, int position, Action<byte[]> change)
    {
        if (bytes.Length == 0)
        {
            return bytes;
        }

        var copy = (byte[])bytes.Clone();
        change(copy);
        return copy;
    }

    private static byte[] Delete(byte[] bytes, int position, int count) =>
        [.. bytes[..position], .. bytes[Math.Min(bytes.Length, position + count)..]];

    /// <summary>Offsets of the frames' length prefixes in a well-formed stream (stops at the first bad one).</summary>
    private static List<int> FrameStarts(byte[] bytes)
    {
        var starts = new List<int>();
        var position = 0;
        while (position + SyncArchive.FrameHeaderSize <= bytes.Length && SyncFrameReader.TryParseLengthPrefix(bytes.AsSpan(position, 5), out var length))
        {
            starts.Add(position);
            position += SyncArchive.FrameHeaderSize + length;
        }

        return starts;
    }

    private static byte[] ReplaceLength(byte[] bytes, int pick, string prefix)
    {
        var starts = FrameStarts(bytes);
        if (starts.Count == 0)
        {
            return bytes;
        }

        var copy = (byte[])bytes.Clone();
        Encoding.ASCII.GetBytes(prefix).CopyTo(copy, starts[pick.Mod(starts.Count)]);
        return copy;
    }

    private static byte[] ShiftLength(byte[] bytes, int pick, int delta)
    {
        var starts = FrameStarts(bytes);
        if (starts.Count == 0)
        {
            return bytes;
        }

        var start = starts[pick.Mod(starts.Count)];
        SyncFrameReader.TryParseLengthPrefix(bytes.AsSpan(start, 5), out var length);
        var copy = (byte[])bytes.Clone();
        Encoding.ASCII.GetBytes($"{Math.Clamp(length + delta, 0, 99999):00000}").CopyTo(copy, start);
        return copy;
    }

    private static byte[] ReplaceSpace(byte[] bytes, int pick, string space)
    {
        var spaces = new List<int>();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == ' ')
            {
                spaces.Add(i);
            }
        }

        if (spaces.Count == 0)
        {
            return bytes;
        }

        var at = spaces[pick.Mod(spaces.Count)];
        return [.. bytes[..at], .. Encoding.ASCII.GetBytes(space), .. bytes[(at + 1)..]];
    }

    /// <summary>Replaces the first command word and fixes the string and frame lengths, so the frame stays well formed.</summary>
    private static byte[] ReplaceWord(byte[] bytes, string word)
    {
        var text = Encoding.Latin1.GetString(bytes);
        foreach (var old in new[] { "10 connection", "5 route" })
        {
            var at = text.IndexOf(old, StringComparison.Ordinal);
            if (at >= 0)
            {
                return Reframe(text, at, old.Length, $"{word.Length} {word}");
            }
        }

        return bytes;
    }

    private static byte[] ReplaceAddress(byte[] bytes, string address)
    {
        var text = Encoding.Latin1.GetString(bytes);
        foreach (var marker in new[] { " 0.0.0.0 ", " 192.", " 10.", " 2001:" })
        {
            var at = text.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            // Back up over the string's length token.
            var lengthStart = text.LastIndexOf(' ', at - 1) + 1;
            var end = text.IndexOf(' ', at + 1);
            if (end < 0)
            {
                end = text.Length;
            }

            return Reframe(text, lengthStart, end - lengthStart, $"{address.Length} {address}");
        }

        return bytes;
    }

    /// <summary>Replaces text[at..at+count] inside the first frame and rewrites that frame's length prefix.</summary>
    private static byte[] Reframe(string text, int at, int count, string replacement)
    {
        if (at < SyncArchive.FrameHeaderSize || !int.TryParse(text.AsSpan(0, 5), out var length))
        {
            return Encoding.Latin1.GetBytes(text);
        }

        var changed = text[..at] + replacement + text[(at + count)..];
        var newLength = Math.Clamp(length + replacement.Length - count, 0, 99999);
        return Encoding.Latin1.GetBytes($"{newLength:00000}" + changed[5..]);
    }
}
