using Anytun.Engine.Crypto;

namespace Anytun.Engine.Configuration;

/// <summary>
/// The anytun-config 0.3.8 command line (spec §2): -h -v -L -U -r -o -4 -6 -R -m -w -k -e -E -K -A, with its
/// defaults (mux 0, window 0, kd-prf aes-ctr, role left, remote port 4444). Stricter than anytun-config where it
/// silently writes something else than asked: numbers out of range (it saturates -m 65536 to 65535 and truncates
/// -w/-o to 16 bits), prefix lengths beyond the address, malformed hex and keys of the wrong length are errors.
/// </summary>
public static class AnytunConfigCommandLine
{
    private const string Program = "anytun-config";

    /// <summary>
    /// Parses anytun-config arguments (an optional leading "anytun-config" or a path to it is skipped). Later
    /// occurrences win; -R (each a comma list) and -L accumulate. Throws InvalidOption naming the option.
    /// </summary>
    public static AnytunConnectionDefinition Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        ushort mux = 0, port = AnytunConnectionDefinition.DefaultRemotePort;
        uint window = 0;
        string? host = null;
        bool ipv4 = false, ipv6 = false;
        var prf = KeyDerivationPrf.AesCtr128;
        var role = Role.Left;
        var routes = new List<ConnectionRoute>();
        SecretBytes? passphrase = null, key = null, salt = null;
        try
        {
            var start = OptionArguments.FirstOption(args, Program);
            for (var i = start; i < args.Count; i++)
            {
                var token = args[i] ?? throw new ArgumentException($"Argument {i + 1} is null.", nameof(args));
                switch (token)
                {
                    case "-h" or "--help" or "-v" or "--version":
                        throw OptionArguments.PrintsAndExits(token, i, Program);
                    case "-U" or "--debug":
                        break;
                    case "-L" or "--log":
                        OptionArguments.TakeLogTarget(args, ref i, Program);
                        break;
                    case "-r" or "--remote-host":
                        host = OptionArguments.Take(args, ref i, OptionNames.RemoteHost, Program);
                        break;
                    case "-o" or "--remote-port":
                        port = (ushort)OptionArguments.TakeNumber(args, ref i, OptionNames.RemotePort, 0, ushort.MaxValue, Program);
                        break;
                    case "-4" or "--ipv4-only":
                        ipv4 = true;
                        break;
                    case "-6" or "--ipv6-only":
                        ipv6 = true;
                        break;
                    case "-R" or "--route":
                        foreach (var prefix in OptionArguments.Take(args, ref i, OptionNames.Route, Program).Split(','))
                        {
                            routes.Add(OptionArguments.AtPosition(i + 1, prefix, static v => ConnectionRoute.Parse(v)));
                        }

                        break;
                    case "-m" or "--mux":
                        mux = (ushort)OptionArguments.TakeNumber(args, ref i, OptionNames.Mux, 0, ushort.MaxValue, Program);
                        break;
                    case "-w" or "--window-size":
                        // anytun-config keeps the window in 16 bits (createConnection's uint16_t): 70000 would be written as 4464.
                        window = (uint)OptionArguments.TakeNumber(args, ref i, OptionNames.WindowSize, 0, ushort.MaxValue, Program);
                        break;
                    case "-k" or "--kd-prf":
                        prf = OptionArguments.TakeName<KeyDerivationPrf>(args, ref i, OptionNames.KdPrf, AlgorithmNames.TryParseKdPrf, "aes-ctr, aes-ctr-128, aes-ctr-192, aes-ctr-256, null", Program);
                        break;
                    case "-e" or "--role":
                        role = OptionArguments.TakeName<Role>(args, ref i, OptionNames.Role, AlgorithmNames.TryParseRole, "left, alice, server, right, bob, client", Program);
                        break;
                    case "-E" or "--passphrase":
                        Replace(ref passphrase, SecretBytes.FromUtf8(OptionArguments.TakeSecret(args, ref i, OptionNames.Passphrase, Program)));
                        break;
                    case "-K" or "--key":
                        Replace(ref key, OptionArguments.AtPosition(i + 2, OptionArguments.TakeSecret(args, ref i, OptionNames.Key, Program), static v => SecretBytes.FromHex(v, OptionNames.Key)));
                        break;
                    case "-A" or "--salt":
                        Replace(ref salt, OptionArguments.AtPosition(i + 2, OptionArguments.TakeSecret(args, ref i, OptionNames.Salt, Program), static v => SecretBytes.FromHex(v, OptionNames.Salt)));
                        break;
                    default:
                        throw OptionArguments.Unknown(token, i, Program);
                }
            }

            if (ipv4 && ipv6)
            {
                throw OptionErrors.Invalid(OptionNames.IPv4Only, $"{OptionNames.IPv4Only} and {OptionNames.IPv6Only} are mutually exclusive.");
            }

            var family = ipv4 ? AddressFamilyPreference.IPv4Only : ipv6 ? AddressFamilyPreference.IPv6Only : AddressFamilyPreference.Any;
            return new AnytunConnectionDefinition(mux, host, port, family, window, prf, role, passphrase, key, salt, routes);
        }
        finally
        {
            passphrase?.Dispose();
            key?.Dispose();
            salt?.Dispose();
        }
    }

    /// <summary><see cref="Parse"/> of a pasted command line (POSIX shell quoting).</summary>
    public static AnytunConnectionDefinition ParseCommandLine(string commandLine) => Parse(CommandLineTokenizer.Tokenize(commandLine));

    /// <summary>Exactly what anytun-config prints on stdout for <paramref name="args"/> (the table-file form).</summary>
    public static async Task<byte[]> RunAsync(IReadOnlyList<string> args, RemoteHostResolver? resolver = null, CancellationToken cancellationToken = default)
    {
        using var definition = Parse(args);
        var commands = await definition.CreateCommandsAsync(resolver, cancellationToken).ConfigureAwait(false);
        try
        {
            return Sync.SyncTableFile.Encode(commands);
        }
        finally
        {
            foreach (var command in commands)
            {
                (command as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>Later occurrences win; the earlier secret is zeroed rather than left to the GC.</summary>
    private static void Replace(ref SecretBytes? slot, SecretBytes value)
    {
        slot?.Dispose();
        slot = value;
    }
}
