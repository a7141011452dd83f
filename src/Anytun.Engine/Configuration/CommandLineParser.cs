using System.Globalization;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Configuration;

/// <summary>
/// anytun 0.3.8 argv → <see cref="TunnelOptions"/>. Same option names and value rules as anytun (a value may not
/// start with '-'; later occurrences win; -R, -M and -L accumulate), but stricter: malformed numbers, names and
/// hex strings are errors instead of silent zeros. Every error names the token and its 1-based argument position
/// and never echoes a secret.
/// </summary>
internal static class CommandLineParser
{
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
        var i = args.Count > 0 && args[0] is { } first && IsProgramName(first) ? 1 : 0;
        for (; i < args.Count; i++)
        {
            var token = args[i] ?? throw new ArgumentException($"Argument {i + 1} is null.", nameof(args));
            var reader = new ValueReader(args, i);
            switch (token)
            {
                case "-h" or "--help":
                    throw NotHere(OptionNames.Help, token, i, "the module has no usage text of its own; use Get-Help about_Anytun or Get-Help <command>");
                case "-v" or "--version":
                    throw NotHere(OptionNames.Version, token, i, "use (Get-Module Anytun).Version");
                case "-D" or "--nodaemonize":
                    options.NoDaemonize = true;
                    break;
                case "-U" or "--debug":
                    options.Debug = true;
                    break;
                case "-u" or "--username":
                    options.Username = reader.Take(OptionNames.Username, ref i);
                    break;
                case "-g" or "--groupname":
                    options.Groupname = reader.Take(OptionNames.Groupname, ref i);
                    break;
                case "-C" or "--chroot":
                    options.Chroot = reader.Take(OptionNames.Chroot, ref i);
                    break;
                case "-P" or "--write-pid":
                    options.PidFile = reader.Take(OptionNames.PidFile, ref i);
                    break;
                case "-L" or "--log":
                    options.LogTargets.Add(WithPosition(i + 2, () => LogTarget.Parse(reader.Take(OptionNames.Log, ref i))));
                    break;
                case "-i" or "--interface":
                    options.LocalAddress = reader.Take(OptionNames.Interface, ref i);
                    break;
                case "-p" or "--port":
                    options.LocalPort = (int)reader.TakeNumber(OptionNames.Port, 0, 65535, ref i);
                    break;
                case "-s" or "--sender-id":
                    options.SenderId = (ushort)reader.TakeNumber(OptionNames.SenderId, 0, ushort.MaxValue, ref i);
                    break;
                case "-r" or "--remote-host":
                    options.RemoteHost = reader.Take(OptionNames.RemoteHost, ref i);
                    break;
                case "-o" or "--remote-port":
                    options.RemotePort = (int)reader.TakeNumber(OptionNames.RemotePort, 1, 65535, ref i);
                    break;
                case "-4" or "--ipv4-only":
                    ipv4Only = true;
                    break;
                case "-6" or "--ipv6-only":
                    ipv6Only = true;
                    break;
                case "-I" or "--sync-interface":
                    options.SyncInterface = reader.Take(OptionNames.SyncInterface, ref i);
                    break;
                case "-S" or "--sync-port":
                    options.SyncPort = (int)reader.TakeNumber(OptionNames.SyncPort, 1, 65535, ref i);
                    break;
                case "-M" or "--sync-hosts":
                    AddList(options.SyncHosts, reader.Take(OptionNames.SyncHosts, ref i));
                    break;
                case "-X" or "--control-host":
                    options.ControlHost = reader.Take(OptionNames.ControlHost, ref i);
                    break;
                case "-d" or "--dev":
                    options.DeviceName = reader.Take(OptionNames.Device, ref i);
                    break;
                case "-t" or "--type":
                    options.DeviceType = reader.TakeName<DeviceType>(OptionNames.Type, AlgorithmNames.TryParseDeviceType, "tun, tap", ref i);
                    break;
                case "-n" or "--ifconfig":
                    options.IfConfig = WithPosition(i + 2, () => IfConfig.Parse(reader.Take(OptionNames.IfConfig, ref i)));
                    break;
                case "-x" or "--post-up-script":
                    options.PostUpScript = reader.Take(OptionNames.PostUpScript, ref i);
                    break;
                case "-R" or "--route":
                    AddList(options.Routes, reader.Take(OptionNames.Route, ref i));
                    break;
                case "-m" or "--mux":
                    options.Mux = (ushort)reader.TakeNumber(OptionNames.Mux, 0, ushort.MaxValue, ref i);
                    break;
                case "-w" or "--window-size":
                    options.WindowSize = (uint)reader.TakeNumber(OptionNames.WindowSize, 0, uint.MaxValue, ref i);
                    break;
                case "-k" or "--kd-prf":
                    options.KdPrf = reader.TakeName<KeyDerivationPrf>(OptionNames.KdPrf, AlgorithmNames.TryParseKdPrf, "aes-ctr, aes-ctr-128, aes-ctr-192, aes-ctr-256, null", ref i);
                    break;
                case "-e" or "--role":
                    options.Role = reader.TakeName<Role>(OptionNames.Role, AlgorithmNames.TryParseRole, "left, alice, server, right, bob, client", ref i);
                    break;
                case "-c" or "--cipher":
                    options.Cipher = reader.TakeName<CipherAlgorithm>(OptionNames.Cipher, AlgorithmNames.TryParseCipher, "aes-ctr, aes-ctr-128, aes-ctr-192, aes-ctr-256, null", ref i);
                    break;
                case "-a" or "--auth-algo":
                    options.Auth = reader.TakeName<AuthAlgorithm>(OptionNames.AuthAlgo, AlgorithmNames.TryParseAuth, "sha1, null", ref i);
                    break;
                case "-b" or "--auth-tag-length":
                    options.AuthTagLength = (int)reader.TakeNumber(OptionNames.AuthTagLength, 0, int.MaxValue, ref i);
                    break;
                case "-E" or "--passphrase":
                    options.Passphrase = ReplaceSecret(options.Passphrase, SecretBytes.FromUtf8(reader.TakeSecret(OptionNames.Passphrase, ref i)));
                    break;
                case "-K" or "--key":
                    options.Key = ReplaceSecret(options.Key, WithPosition(i + 2, () => SecretBytes.FromHex(reader.TakeSecret(OptionNames.Key, ref i), OptionNames.Key)));
                    break;
                case "-A" or "--salt":
                    options.Salt = ReplaceSecret(options.Salt, WithPosition(i + 2, () => SecretBytes.FromHex(reader.TakeSecret(OptionNames.Salt, ref i), OptionNames.Salt)));
                    break;
                default:
                    throw Unknown(token, i);
            }
        }

        if (ipv4Only && ipv6Only)
        {
            throw new AnytunException(
                AnytunErrorCode.InvalidOption,
                $"{OptionNames.IPv4Only} and {OptionNames.IPv6Only} are mutually exclusive.",
                OptionNames.IPv4Only);
        }

        options.AddressFamily = ipv4Only ? AddressFamilyPreference.IPv4Only
            : ipv6Only ? AddressFamilyPreference.IPv6Only
            : AddressFamilyPreference.Any;
    }

    /// <summary>Later occurrences win; the earlier secret is zeroed rather than left to the GC.</summary>
    private static SecretBytes ReplaceSecret(SecretBytes? previous, SecretBytes current)
    {
        previous?.Dispose();
        return current;
    }

    private static void AddList(List<string> list, string value)
    {
        foreach (var entry in value.Split(','))
        {
            list.Add(entry);
        }
    }

    /// <summary>Adds the 1-based argument position of the value to errors raised by value parsers that only know the option.</summary>
    private static T WithPosition<T>(int position, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (AnytunException ex) when (!ex.Message.Contains("(argument ", StringComparison.Ordinal))
        {
            throw new AnytunException(
                ex.Code,
                ex.Message.TrimEnd('.') + string.Create(CultureInfo.InvariantCulture, $" (argument {position})."),
                ex.Target,
                ex);
        }
    }

    private static AnytunException Unknown(string token, int index)
    {
        var message = token.StartsWith('-')
            ? string.Create(CultureInfo.InvariantCulture, $"Unknown option '{token}' (argument {index + 1}).")
            : string.Create(CultureInfo.InvariantCulture, $"Unexpected argument '{token}' (argument {index + 1}): anytun takes only options, each value right after its option.");
        return new AnytunException(AnytunErrorCode.InvalidOption, message, token);
    }

    private static AnytunException NotHere(string option, string token, int index, string hint) =>
        new(
            AnytunErrorCode.InvalidOption,
            string.Create(CultureInfo.InvariantCulture, $"'{token}' (argument {index + 1}) is not meaningful here: {option} only prints text in anytun; {hint}."),
            option);

    /// <summary>Reads the value that follows an option at <c>index</c>.</summary>
    private readonly struct ValueReader
    {
        private readonly IReadOnlyList<string> _args;
        private readonly int _index;

        public ValueReader(IReadOnlyList<string> args, int index)
        {
            _args = args;
            _index = index;
        }

        public delegate bool TryParseName<T>(string value, out T result);

        public string Take(string option, ref int i) => TakeCore(option, secret: false, ref i);

        public string TakeSecret(string option, ref int i) => TakeCore(option, secret: true, ref i);

        public long TakeNumber(string option, long min, long max, ref int i)
        {
            var value = Take(option, ref i);
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                || number < min || number > max)
            {
                throw new AnytunException(
                    AnytunErrorCode.InvalidOption,
                    string.Create(CultureInfo.InvariantCulture, $"{option} '{value}' (argument {_index + 2}) must be a whole number from {min} to {max}."),
                    option);
            }

            return number;
        }

        public T TakeName<T>(string option, TryParseName<T> tryParse, string allowed, ref int i)
        {
            var value = Take(option, ref i);
            if (!tryParse(value, out var result))
            {
                throw new AnytunException(
                    AnytunErrorCode.InvalidOption,
                    string.Create(CultureInfo.InvariantCulture, $"{option} '{value}' (argument {_index + 2}) is unknown; use one of: {allowed}."),
                    option);
            }

            return result;
        }

        private string TakeCore(string option, bool secret, ref int i)
        {
            var token = _args[_index];
            if (_index + 1 >= _args.Count)
            {
                throw new AnytunException(
                    AnytunErrorCode.InvalidOption,
                    string.Create(CultureInfo.InvariantCulture, $"'{token}' (argument {_index + 1}) needs a value: {option} <value>."),
                    option);
            }

            var value = _args[_index + 1] ?? string.Empty;
            if (value.StartsWith('-'))
            {
                var shown = secret ? "its value" : $"'{value}'";
                throw new AnytunException(
                    AnytunErrorCode.InvalidOption,
                    string.Create(CultureInfo.InvariantCulture, $"{option}: {shown} (argument {_index + 2}) starts with '-'; anytun does not accept option values that start with '-' (is the value missing?)."),
                    option);
            }

            i = _index + 1;
            return value;
        }
    }
}
