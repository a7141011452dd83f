using System.Globalization;
using System.Text;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Configuration;

/// <summary>
/// <see cref="TunnelOptions"/> → an anytun command line (for logs, the benchmark and interop scripts). Options
/// at their default are left out; secrets are *** unless the caller explicitly asks for them.
/// </summary>
internal static class CommandLineFormatter
{
    public const string Redacted = "***";

    public static IReadOnlyList<string> ToArguments(TunnelOptions options, bool redactSecrets)
    {
        ArgumentNullException.ThrowIfNull(options);
        var args = new List<string> { "anytun" };
        AddFlag(args, "-D", options.NoDaemonize);
        AddValue(args, "-u", options.Username);
        AddValue(args, "-g", options.Groupname);
        AddValue(args, "-C", options.Chroot);
        AddValue(args, "-P", options.PidFile);
        foreach (var target in options.LogTargets)
        {
            AddValue(args, "-L", target.ToString());
        }

        AddFlag(args, "-U", options.Debug);
        AddValue(args, "-i", options.LocalAddress);
        AddNumber(args, "-p", options.LocalPort, TunnelOptions.DefaultPort);
        AddNumber(args, "-s", options.SenderId, 0);
        AddValue(args, "-r", options.RemoteHost);
        AddNumber(args, "-o", options.RemotePort, TunnelOptions.DefaultPort);
        AddFlag(args, "-4", options.AddressFamily == AddressFamilyPreference.IPv4Only);
        AddFlag(args, "-6", options.AddressFamily == AddressFamilyPreference.IPv6Only);
        AddValue(args, "-I", options.SyncInterface);
        if (options.SyncPort is { } syncPort)
        {
            AddValue(args, "-S", syncPort.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var host in options.SyncHosts)
        {
            AddValue(args, "-M", host);
        }

        AddValue(args, "-X", options.ControlHost);
        AddValue(args, "-d", options.DeviceName);
        if (options.DeviceType is { } type)
        {
            AddValue(args, "-t", AlgorithmNames.ToName(type));
        }

        AddValue(args, "-n", options.IfConfig?.ToString());
        AddValue(args, "-x", options.PostUpScript);
        foreach (var route in options.Routes)
        {
            AddValue(args, "-R", route.ToUnmaskedString());
        }

        AddNumber(args, "-m", options.Mux, 0);
        AddNumber(args, "-w", options.WindowSize, 0);
        if (options.KdPrf != KeyDerivationPrf.AesCtr128)
        {
            AddValue(args, "-k", AlgorithmNames.ToName(options.KdPrf));
        }

        AddValue(args, "-e", AlgorithmNames.ToName(options.Role));
        AddSecret(args, "-E", options.Passphrase, redactSecrets, static s => Encoding.UTF8.GetString(s));
        AddSecret(args, "-K", options.Key, redactSecrets, static s => Convert.ToHexString(s).ToLowerInvariant());
        AddSecret(args, "-A", options.Salt, redactSecrets, static s => Convert.ToHexString(s).ToLowerInvariant());
        if (options.Cipher != CipherAlgorithm.AesCtr128)
        {
            AddValue(args, "-c", AlgorithmNames.ToName(options.Cipher));
        }

        if (options.Auth != AuthAlgorithm.Sha1)
        {
            AddValue(args, "-a", AlgorithmNames.ToName(options.Auth));
        }

        AddNumber(args, "-b", options.AuthTagLength, TunnelOptions.DefaultAuthTagLength);
        return args;
    }

    public static string Format(TunnelOptions options, bool redactSecrets)
    {
        var args = ToArguments(options, redactSecrets);
        var text = new StringBuilder();
        foreach (var arg in args)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            AppendQuoted(text, arg);
        }

        return text.ToString();
    }

    /// <summary>Single-quotes a word unless it only has characters no shell treats specially.</summary>
    internal static void AppendQuoted(StringBuilder text, string word)
    {
        if (word.Length > 0 && IsPlain(word))
        {
            text.Append(word);
            return;
        }

        text.Append('\'').Append(word.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
    }

    private static bool IsPlain(string word)
    {
        foreach (var c in word)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or ',' or '@' or '%' or '+' or '='))
            {
                return false;
            }
        }

        return true;
    }

    private static void AddFlag(List<string> args, string option, bool present)
    {
        if (present)
        {
            args.Add(option);
        }
    }

    private static void AddValue(List<string> args, string option, string? value)
    {
        if (value is not null)
        {
            args.Add(option);
            args.Add(value);
        }
    }

    private static void AddNumber(List<string> args, string option, long value, long defaultValue)
    {
        if (value != defaultValue)
        {
            AddValue(args, option, value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private delegate string SecretText(ReadOnlySpan<byte> secret);

    private static void AddSecret(List<string> args, string option, SecretBytes? secret, bool redact, SecretText reveal)
    {
        if (secret is null)
        {
            return;
        }

        AddValue(args, option, redact || secret.IsDisposed ? Redacted : reveal(secret.Span));
    }
}
