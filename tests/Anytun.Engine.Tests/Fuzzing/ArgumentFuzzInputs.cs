using CsCheck;

namespace Anytun.Engine.Tests.Fuzzing;

/// <summary>
/// Generators for the command-line fuzz targets: random argument lists from the options and values the anytun
/// programs know (plus random strings), and real command lines with arguments dropped, duplicated, swapped or replaced.
/// </summary>
public static class ArgumentFuzzInputs
{
    private static readonly string[] Options =
    {
        "-h", "-v", "-L", "-U", "-r", "-o", "-4", "-6", "-R", "-m", "-w", "-k", "-e", "-E", "-K", "-A", "-D", "-u", "-g",
        "-C", "-P", "-f", "-X", "-i", "-p", "-s", "-I", "-S", "-M", "-d", "-t", "-n", "-x", "-c", "-a", "-b", "--route",
        "--mux", "--file", "--control-host", "--bogus", "-", "--", "-Z", "anytun-config", "anytun-controld", "anytun",
    };

    private static readonly string[] Values =
    {
        "0", "1", "12", "65535", "65536", "-1", "4294967296", "x", "12x", string.Empty, "aes-ctr", "aes-ctr-256", "null",
        "sha1", "left", "bob", "foo", "stdout:5", "syslog:3,anytun,daemon", "file:1,/tmp/x", "bogus:1", "stderr:x",
        "10.0.0.0/8", "10.0.0.128/25", "fd00::/8", "10.0.0.0", "1.2.3.4/33", "10.0.0.0/8,", "::1", "198.51.100.7",
        "[::1]:2424", "[::1]", "host:", "a:b:c", ":2323", "peer.example", "0123456789ABCDEFFEDCBA9876543210",
        "0123456789ABCDDCBA9876543210", "abz11z", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", "tun",
        "tap", "tun0", "192.168.1.1/24", "/etc/x.sh", "pass phrase", "é", "1.2.3.4:99999", "x[::1]", "'quoted'",
    };

    private static readonly string[][] Examples =
    {
        new[] { "-w", "0", "-m", "12", "-K", "0123456789ABCDEFFEDCBA9876543210", "-A", "0123456789ABCDDCBA9876543210", "-R", "192.0.2.0/24", "-R", "192.168.1.1/32", "-e", "server" },
        new[] { "-m", "1", "-e", "client", "-E", "Creating_VPN_Tunnels_With_Anytun_Is_Easy", "-r", "198.51.100.7", "-o", "4444", "-R", "192.168.123.1/32", "-R", "fec0::1/128", "-w", "64" },
        new[] { "-m", "3", "-k", "aes-ctr-256", "-E", "pass", "-R", "10.0.0.0/8" },
        new[] { "-m", "4", "-k", "null", "-R", "172.16.0.0/12" },
        new[] { "-m", "7", "-r", "::1", "-o", "5555", "-E", "x", "-e", "right" },
        new[] { "-D", "-L", "stdout:5", "-f", "table.txt", "-X", "127.0.0.1:2424" },
        new[] { "-D", "-u", "anytun", "-g", "anytun", "-C", "/var/empty", "-P", "/run/c.pid", "-f", "/run/t", "-X", "[::1]:4444" },
        new[] { "-U", "-i", "192.0.2.1", "-p", "4444", "-s", "1", "-I", "10.99.1.2", "-S", "2323", "-M", "10.99.2.2:2323,10.99.3.2:2323", "-t", "tun", "-d", "cpxtun", "-n", "10.200.0.1/24", "-e", "server", "-E", "pass", "-R", "10.200.0.2/32" },
        new[] { "-D", "-L", "stdout:5", "-d", "satp0", "-t", "tun", "-n", "192.168.77.1/24", "-p", "4444", "-r", "10.0.0.2", "-c", "aes-ctr-192", "-k", "aes-ctr-192", "-a", "sha1", "-b", "10", "-K", "00112233445566778899aabbccddeeff0011223344556677", "-A", "00112233445566778899aabbccdd" },
    };

    /// <summary>Random option/value soup.</summary>
    public static Gen<string[]> RandomArguments { get; } = Gen.Frequency(
        (3, Gen.OneOf(Options.Select(Gen.Const).ToArray())),
        (3, Gen.OneOf(Values.Select(Gen.Const).ToArray())),
        (1, Gen.String[0, 16])).Array[0, 14];

    /// <summary>Real command lines, mutated.</summary>
    public static Gen<string[]> MutatedArguments { get; } = Gen.Select(
        Gen.Int[0, Examples.Length - 1],
        Gen.Select(Gen.Int[0, 4], Gen.Int, Gen.Int, RandomArguments).Array[0, 4],
        (example, edits) =>
        {
            var args = new List<string>(Examples[example]);
            foreach (var (kind, a, b, extra) in edits)
            {
                if (args.Count == 0)
                {
                    args.AddRange(extra);
                    continue;
                }

                var i = (int)((uint)a % (uint)args.Count);
                var j = (int)((uint)b % (uint)args.Count);
                switch (kind)
                {
                    case 0: args.RemoveAt(i); break;
                    case 1: args.Insert(i, args[j]); break;
                    case 2: (args[i], args[j]) = (args[j], args[i]); break;
                    case 3: args[i] = extra.Length > 0 ? extra[0] : string.Empty; break;
                    default: args.InsertRange(i, extra); break;
                }
            }

            return args.ToArray();
        });

    public static Gen<string[]> AnyArguments { get; } = Gen.Frequency((1, RandomArguments), (2, MutatedArguments));

    /// <summary>Whole command lines with quotes, backslashes and line continuations, for the tokenizer.</summary>
    public static Gen<string> CommandLineText { get; } = Gen.Select(AnyArguments, Gen.Int[0, 3], (args, style) => style switch
    {
        0 => string.Join(' ', args),
        1 => string.Join(" \\\n ", args.Select(a => "'" + a + "'")),
        2 => string.Join(' ', args.Select(a => "\"" + a.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")),
        _ => string.Join(' ', args) + " \"unterminated",
    });
}
