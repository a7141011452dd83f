using Anytun.Engine.Crypto;
using Anytun.Engine.Routing;

namespace Anytun.Engine.Configuration;

/// <summary>
/// anytun 0.3.8 argv → <see cref="TunnelOptions"/>. Same option names and value rules as anytun (a value may not
/// start with '-'; later occurrences win; -R, -M and -L accumulate), but stricter: malformed numbers, names and
/// hex strings are errors instead of silent zeros. Every error names the option or token and its 1-based argument
/// position, and never echoes a secret.
/// </summary>
internal static class CommandLineParser
{
    private const string CipherNames = "aes-ctr, aes-ctr-128, aes-ctr-192, aes-ctr-256, null";

    public static TunnelOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new TunnelOptions();
        try
        {
            ParseInto(options, args);
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>anytun, uanytun, or a path ending in one of them (e.g. /usr/sbin/anytun).</summary>
    public static bool IsProgramName(string token) =>
        token is "anytun" or "uanytun"
        || token.EndsWith("/anytun", StringComparison.Ordinal)
        || token.EndsWith("/uanytun", StringComparison.Ordinal);

    private static void ParseInto(TunnelOptions options, IReadOnlyList<string> args)
    {
        var ipv4Only = false;
        var ipv6Only = false;
        var start = args.Count > 0 && args[0] is { } first && IsProgramName(first) ? 1 : 0;
        for (var i = start; i < args.Count; i++)
        {
            var token = args[i] ?? throw new ArgumentException($"Argument {i + 1} is null.", nameof(args));
            switch (token)
            {
                case "-h" or "--help":
                    throw NotMeaningful(OptionNames.Help, token, i, "use Get-Help about_Anytun or Get-Help <command>");
                case "-v" or "--version":
                    throw NotMeaningful(OptionNames.Version, token, i, "use (Get-Module Anytun).Version");
                case "-D" or "--nodaemonize":
                    options.NoDaemonize = true;
                    break;
                case "-U" or "--debug":
                    options.Debug = true;
                    break;
                case "-u" or "--username":
                    options.Username = Take(args, ref i, OptionNames.Username);
                    break;
                case "-g" or "--groupname":
                    options.Groupname = Take(args, ref i, OptionNames.Groupname);
                    break;
                case "-C" or "--chroot":
                    options.Chroot = Take(args, ref i, OptionNames.Chroot);
                    break;
                case "-P" or "--write-pid":
                    options.PidFile = Take(args, ref i, OptionNames.PidFile);
                    break;
                case "-L" or "--log":
                    options.LogTargets.Add(AtPosition(i + 2, Take(args, ref i, OptionNames.Log), static v => LogTarget.Parse(v)));
                    break;
                case "-i" or "--interface":
                    options.LocalAddress = Take(args, ref i, OptionNames.Interface);
                    break;
                case "-p" or "--port":
                    options.LocalPort = (int)TakeNumber(args, ref i, OptionNames.Port, 0, 65535);
                    break;
                case "-s" or "--sender-id":
                    options.SenderId = (ushort)TakeNumber(args, ref i, OptionNames.SenderId, 0, ushort.MaxValue);
                    break;
                case "-r" or "--remote-host":
                    options.RemoteHost = Take(args, ref i, OptionNames.RemoteHost);
                    break;
                case "-o" or "--remote-port":
                    options.RemotePort = (int)TakeNumber(args, ref i, OptionNames.RemotePort, 1, 65535);
                    break;
                case "-4" or "--ipv4-only":
                    ipv4Only = true;
                    break;
                case "-6" or "--ipv6-only":
                    ipv6Only = true;
                    break;
                case "-I" or "--sync-interface":
                    options.SyncInterface = Take(args, ref i, OptionNames.SyncInterface);
                    break;
                case "-S" or "--sync-port":
                    options.SyncPort = (int)TakeNumber(args, ref i, OptionNames.SyncPort, 1, 65535);
                    break;
                case "-M" or "--sync-hosts":
                    options.SyncHosts.AddRange(Take(args, ref i, OptionNames.SyncHosts).Split(','));
                    break;
                case "-X" or "--control-host":
                    options.ControlHost = Take(args, ref i, OptionNames.ControlHost);
                    break;
                case "-d" or "--dev":
                    options.DeviceName = Take(args, ref i, OptionNames.Device);
                    break;
                case "-t" or "--type":
                    options.DeviceType = TakeName<DeviceType>(args, ref i, OptionNames.Type, AlgorithmNames.TryParseDeviceType, "tun, tap");
                    break;
                case "-n" or "--ifconfig":
                    options.IfConfig = AtPosition(i + 2, Take(args, ref i, OptionNames.IfConfig), static v => IfConfig.Parse(v));
                    break;
                case "-x" or "--post-up-script":
                    options.PostUpScript = Take(args, ref i, OptionNames.PostUpScript);
                    break;
                case "-R" or "--route":
                    options.Routes.AddRange(AtPosition(i + 2, Take(args, ref i, OptionNames.Route), ParseRoutes));
                    break;
                case "-m" or "--mux":
                    options.Mux = (ushort)TakeNumber(args, ref i, OptionNames.Mux, 0, ushort.MaxValue);
                    break;
                case "-w" or "--window-size":
                    options.WindowSize = (uint)TakeNumber(args, ref i, OptionNames.WindowSize, 0, uint.MaxValue);
                    break;
                case "-k" or "--kd-prf":
                    options.KdPrf = TakeName<KeyDerivationPrf>(args, ref i, OptionNames.KdPrf, AlgorithmNames.TryParseKdPrf, CipherNames);
                    break;
                case "-e" or "--role":
                    options.Role = TakeName<Role>(args, ref i, OptionNames.Role, AlgorithmNames.TryParseRole, "left, alice, server, right, bob, client");
                    break;
                case "-c" or "--cipher":
                    options.Cipher = TakeName<CipherAlgorithm>(args, ref i, OptionNames.Cipher, AlgorithmNames.TryParseCipher, CipherNames);
                    break;
                case "-a" or "--auth-algo":
                    options.Auth = TakeName<AuthAlgorithm>(args, ref i, OptionNames.AuthAlgo, AlgorithmNames.TryParseAuth, "sha1, null");
                    break;
                case "-b" or "--auth-tag-length":
                    options.AuthTagLength = (int)TakeNumber(args, ref i, OptionNames.AuthTagLength, 0, int.MaxValue);
                    break;
                case "-E" or "--passphrase":
                    options.Passphrase = SecretBytes.FromUtf8(TakeSecret(args, ref i, OptionNames.Passphrase));
                    break;
                case "-K" or "--key":
                    options.Key = AtPosition(i + 2, TakeSecret(args, ref i, OptionNames.Key), static v => SecretBytes.FromHex(v, OptionNames.Key));
                    break;
                case "-A" or "--salt":
                    options.Salt = AtPosition(i + 2, TakeSecret(args, ref i, OptionNames.Salt), static v => SecretBytes.FromHex(v, OptionNames.Salt));
                    break;
                default:
                    throw Unknown(token, i);
            }
        }

        if (ipv4Only && ipv6Only)
        {
            throw OptionErrors.Invalid(
                OptionNames.IPv4Only,
                $"{OptionNames.IPv4Only} and {OptionNames.IPv6Only} are mutually exclusive.");
        }

        options.AddressFamily = ipv4Only ? AddressFamilyPreference.IPv4Only
            : ipv6Only ? AddressFamilyPreference.IPv6Only
            : AddressFamilyPreference.Any;
    }

    /// <summary>-R net/len[,net/len…]: anytun wants the '/' (a bare address is a syntax error there).</summary>
    private static List<IPPrefix> ParseRoutes(string value)
    {
        var routes = new List<IPPrefix>();
        foreach (var part in value.Split(','))
        {
            if (!part.Contains('/', StringComparison.Ordinal))
            {
                throw OptionErrors.Invalid(OptionNames.Route, $"{OptionNames.Route} '{part}' is missing '/<prefix length>' (expected net/len, e.g. 10.0.0.0/8)");
            }

            if (!IPPrefix.TryParse(part, out var prefix, out var error))
            {
                throw OptionErrors.Invalid(OptionNames.Route, $"{OptionNames.Route} '{part}': {error}");
            }

            routes.Add(prefix);
        }

        return routes;
    }

    private const string Program = "anytun";

    private static T AtPosition<T>(int position, string value, Func<string, T> parse) =>
        OptionArguments.AtPosition(position, value, parse);

    private static string Take(IReadOnlyList<string> args, ref int i, string option) => OptionArguments.Take(args, ref i, option, Program);

    private static string TakeSecret(IReadOnlyList<string> args, ref int i, string option) => OptionArguments.TakeSecret(args, ref i, option, Program);

    private static long TakeNumber(IReadOnlyList<string> args, ref int i, string option, long min, long max) =>
        OptionArguments.TakeNumber(args, ref i, option, min, max, Program);

    private static T TakeName<T>(IReadOnlyList<string> args, ref int i, string option, OptionArguments.TryParseName<T> tryParse, string allowed) =>
        OptionArguments.TakeName(args, ref i, option, tryParse, allowed, Program);

    private static AnytunException Unknown(string token, int index) => OptionArguments.Unknown(token, index, Program);

    private static AnytunException NotMeaningful(string option, string token, int index, string hint) =>
        OptionArguments.NotMeaningful(option, token, index, hint, Program);
}
