using System.Globalization;
using System.Text.RegularExpressions;

namespace Anytun.Engine.Tests.Support;

/// <summary>Reads every Vectors/dataplane/&lt;name&gt;/vector.md copied next to the test assembly.</summary>
public static partial class VectorCatalog
{
    /// <summary>The crypto vectors the task names explicitly; each must exist and pass.</summary>
    public static readonly string[] RequiredNames =
    [
        "default", "passphrase", "aes192", "aes256", "passphrase192", "passphrase256", "kd128-cipher256",
        "nullcipher-sha1", "nullcipher-sha1-nullkd", "null-null", "tag20", "tag4", "tag32-clamped", "tap",
        "mux-sender", "roles-swapped", "replay-w0", "interop-anytun-uanytun", "interop-uanytun-anytun-pass",
    ];

    private static readonly Lazy<IReadOnlyDictionary<string, DataplaneVector>> All = new(Load);

    public static string Root => Path.Combine(AppContext.BaseDirectory, "Vectors", "dataplane");

    public static IReadOnlyDictionary<string, DataplaneVector> Vectors => All.Value;

    public static DataplaneVector Get(string name) => Vectors[name];

    /// <summary>(vector name, datagram number) for every datagram of every vector.</summary>
    public static IEnumerable<object[]> DatagramCases()
    {
        foreach (var vector in Vectors.Values.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            foreach (var datagram in vector.Datagrams)
            {
                yield return [vector.Name, datagram.Number];
            }
        }
    }

    private static IReadOnlyDictionary<string, DataplaneVector> Load()
    {
        var result = new Dictionary<string, DataplaneVector>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Root, "vector.md", SearchOption.AllDirectories))
        {
            var vector = Parse(file);
            result.Add(vector.Name, vector);
        }

        return result;
    }

    public static DataplaneVector Parse(string file)
    {
        var directory = Path.GetDirectoryName(file)!;
        var name = Path.GetFileName(directory);
        var lines = File.ReadAllLines(file);
        var summary = lines.Select(l => SummaryLine().Match(l)).First(m => m.Success);
        var keyLine = lines.Select(l => MasterKeyLine().Match(l)).FirstOrDefault(m => m.Success);
        var datagrams = new List<VectorDatagram>();
        for (var i = 0; i < lines.Length; i++)
        {
            var head = DatagramHead().Match(lines[i]);
            if (!head.Success)
            {
                continue;
            }

            var end = i + 1;
            while (end < lines.Length && !lines[end].StartsWith("####", StringComparison.Ordinal) && !lines[end].StartsWith("**", StringComparison.Ordinal))
            {
                end++;
            }

            datagrams.Add(ParseDatagram(head, lines[(i + 1)..end]));
            i = end - 1;
        }

        return new DataplaneVector(
            name,
            directory,
            File.ReadAllText(Path.Combine(directory, "cmd_A.txt")).Trim(),
            File.ReadAllText(Path.Combine(directory, "cmd_B.txt")).Trim(),
            summary.Groups["kd"].Value,
            summary.Groups["cipher"].Value,
            summary.Groups["auth"].Value,
            int.Parse(summary.Groups["tag"].Value, CultureInfo.InvariantCulture),
            keyLine is not null ? Convert.FromHexString(keyLine.Groups["key"].Value) : FindHex(lines, PassphraseKeyLine()),
            keyLine is not null ? Convert.FromHexString(keyLine.Groups["salt"].Value) : FindHex(lines, PassphraseSaltLine()),
            datagrams);
    }

    private static byte[]? FindHex(string[] lines, Regex regex)
    {
        var match = lines.Select(l => regex.Match(l)).FirstOrDefault(m => m.Success);
        return match is null ? null : Convert.FromHexString(match.Groups["v"].Value);
    }

    private static VectorDatagram ParseDatagram(Match head, string[] body)
    {
        string? Find(Regex regex, string group = "v")
        {
            foreach (var line in body)
            {
                var m = regex.Match(line);
                if (m.Success)
                {
                    return m.Groups[group].Value;
                }
            }

            return null;
        }

        byte[]? Hex(string? value) => value is null ? null : Convert.FromHexString(value);

        var header = body.Select(l => HeaderLine().Match(l)).First(m => m.Success);
        var decrypted = body.Select(l => DecryptedLine().Match(l)).First(m => m.Success);
        return new VectorDatagram(
            int.Parse(head.Groups["n"].Value, CultureInfo.InvariantCulture),
            head.Groups["side"].Value[0],
            head.Groups["role"].Value,
            Hex(Find(PayloadLine()))!,
            uint.Parse(header.Groups["seq"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            ushort.Parse(header.Groups["sid"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            ushort.Parse(header.Groups["mux"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            int.Parse(header.Groups["tag"].Value, CultureInfo.InvariantCulture),
            Hex(Find(CounterBlocksLine(), "enc")),
            Hex(Find(CounterBlocksLine(), "salt")),
            Hex(Find(CounterBlocksLine(), "auth")),
            Hex(Find(EncKeyLine())),
            Hex(Find(EncKeyLine(), "salt")),
            Hex(Find(IvLine())),
            Hex(Find(AuthKeyLine())),
            Hex(Find(HmacLine())),
            ushort.Parse(decrypted.Groups["type"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            Convert.FromHexString(decrypted.Groups["inner"].Value));
    }

    [GeneratedRegex(@"^#### datagram (?<n>\d+): .* \(sent by side (?<side>[AB]), role (?<role>\w+)\)")]
    private static partial Regex DatagramHead();

    [GeneratedRegex(@"^- kd-prf `(?<kd>[^`]+)`, cipher `(?<cipher>[^`]+)`, auth `(?<auth>[^`]+)`, tag length (?<tag>\d+)")]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"^- master key `(?<key>[0-9a-f]+)` .*master salt `(?<salt>[0-9a-f]+)`")]
    private static partial Regex MasterKeyLine();

    [GeneratedRegex(@"-> master key = last \d+ bytes = `(?<v>[0-9a-f]+)`")]
    private static partial Regex PassphraseKeyLine();

    [GeneratedRegex(@"-> master salt = last 14 bytes = `(?<v>[0-9a-f]+)`")]
    private static partial Regex PassphraseSaltLine();

    [GeneratedRegex(@"^- UDP payload \(\d+ bytes\): `(?<v>[0-9a-f]*)`")]
    private static partial Regex PayloadLine();

    [GeneratedRegex(@"^- header: seq=\d+ \(`(?<seq>[0-9a-f]{8})`\), sender_id=\d+ \(`(?<sid>[0-9a-f]{4})`\), mux=\d+ \(`(?<mux>[0-9a-f]{4})`\);.* tag (?<tag>\d+) bytes")]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^- KD counter blocks .*: enc `(?<enc>[0-9a-f]{32})`, salt `(?<salt>[0-9a-f]{32})`, auth `(?<auth>[0-9a-f]{32})`")]
    private static partial Regex CounterBlocksLine();

    [GeneratedRegex(@"^- session enc key `(?<v>[0-9a-f]+)`, session salt `(?<salt>[0-9a-f]+)`")]
    private static partial Regex EncKeyLine();

    [GeneratedRegex(@"^- packet IV/counter block `(?<v>[0-9a-f]+)`")]
    private static partial Regex IvLine();

    [GeneratedRegex(@"^- session auth key `(?<v>[0-9a-f]+)`")]
    private static partial Regex AuthKeyLine();

    [GeneratedRegex(@"^- HMAC-SHA1\(auth key, header\|\|encrypted part\) = `(?<v>[0-9a-f]+)`")]
    private static partial Regex HmacLine();

    [GeneratedRegex(@"^- decrypted: payload type `(?<type>[0-9a-f]{4})`, inner packet \(\d+ bytes\) `(?<inner>[0-9a-f]+)`")]
    private static partial Regex DecryptedLine();
}
