using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Configuration;

/// <summary>
/// The checks behind <see cref="TunnelOptions.Validate"/>: stricter than anytun where anytun silently misbehaves
/// (zero keys on a wrong key length, ignored odd hex digit), and anytun's own warning texts where it only warns.
/// </summary>
internal static class TunnelOptionsValidator
{
    public const int MasterSaltLength = 14;

    internal const string ClusterMixWarning =
        "you have provided options for cluster support as well as connection oriented options, we strongly recommend to use anytun-config and anytun-controld when building a cluster";

    internal const string NullKdWarning =
        "using NULL key derivation with encryption and or authentication enabled!";

    public static IReadOnlyList<string> Validate(TunnelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var warnings = new List<string>();

        CheckNames(options);
        CheckPorts(options);
        CheckDevice(options, warnings);
        CheckAddressFamily(options);
        CheckRoutes(options);
        CheckMulticast(options);
        CheckWindowSize(options);
        CheckLogTargets(options);
        CheckKeyMaterial(options);

        if (HasClusterOptions(options) && HasConnectionOptions(options))
        {
            warnings.Add(ClusterMixWarning);
        }

        if (options.EffectiveKdPrf == KeyDerivationPrf.Null
            && (options.Cipher != CipherAlgorithm.Null || options.Auth != AuthAlgorithm.Null))
        {
            warnings.Add(NullKdWarning);
        }

        if (options.Auth == AuthAlgorithm.Sha1 && options.AuthTagLength > TunnelOptions.MaxAuthTagLength)
        {
            warnings.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"sha1 auth algo can't generate tags of length {options.AuthTagLength}, using maximum tag length({TunnelOptions.MaxAuthTagLength})"));
        }

        if (options.Auth == AuthAlgorithm.Sha1 && options.AuthTagLength == 0)
        {
            // Spec §1.2: with T = 0 the tag check always passes, so sha1 silently authenticates nothing.
            warnings.Add($"{OptionNames.AuthTagLength} 0 with sha1 sends no tag: packets are not authenticated at all.");
        }

        if (options.EffectiveKdPrf == KeyDerivationPrf.Null
            && (options.Passphrase is not null || options.Key is not null || options.Salt is not null))
        {
            warnings.Add($"key derivation is null: {OptionNames.Passphrase}, {OptionNames.Key} and {OptionNames.Salt} are ignored.");
        }

        return warnings;
    }

    /// <summary>
    /// Key material rules (spec §3, §12.3): no silent zero keys. Passphrase supplies whatever -K / -A do not.
    /// Never prints secret contents, only their length.
    /// </summary>
    public static void CheckKeyMaterial(TunnelOptions options)
    {
        var prf = options.EffectiveKdPrf;
        if (prf == KeyDerivationPrf.Null)
        {
            return;
        }

        var prfName = AlgorithmNames.ToName(prf);
        var keyLength = AlgorithmNames.KeyLength(prf);
        CheckUsable(options.Passphrase, OptionNames.Passphrase);
        CheckUsable(options.Key, OptionNames.Key);
        CheckUsable(options.Salt, OptionNames.Salt);

        if (options.Passphrase is { Length: 0 })
        {
            throw OptionErrors.Invalid(OptionNames.Passphrase, $"{OptionNames.Passphrase} is empty.");
        }

        if (KeysComeFromControlHost(options))
        {
            return;
        }

        if (options.Key is null && options.Passphrase is null)
        {
            var hint = options.Salt is null ? string.Empty : $" ({OptionNames.Salt} alone is not enough)";
            throw OptionErrors.Invalid(
                OptionNames.Key,
                $"No master key{hint}: give {OptionNames.Passphrase}, or {OptionNames.Key} ({DescribeHex(keyLength)} for kd-prf {prfName}) with {OptionNames.Salt}; or use {OptionNames.Cipher} null {OptionNames.AuthAlgo} null for an unencrypted tunnel.");
        }

        if (options.Salt is null && options.Passphrase is null)
        {
            throw OptionErrors.Invalid(
                OptionNames.Salt,
                $"{OptionNames.Key} is given without {OptionNames.Salt}: give the master salt ({DescribeHex(MasterSaltLength)}) or {OptionNames.Passphrase}.");
        }

        if (options.Key is { } key && key.Length != keyLength)
        {
            throw OptionErrors.Invalid(
                OptionNames.Key,
                $"{OptionNames.Key} has {DescribeHex(key.Length)}; kd-prf {prfName} needs {DescribeHex(keyLength)}.");
        }

        if (options.Salt is { } salt && salt.Length != MasterSaltLength)
        {
            throw OptionErrors.Invalid(
                OptionNames.Salt,
                $"{OptionNames.Salt} has {DescribeHex(salt.Length)}; the master salt must be {DescribeHex(MasterSaltLength)}.");
        }
    }

    /// <summary>
    /// -X without -E/-K/-A: every connection's keys come from the control host (anytun's controld set-up, spec §3), so
    /// the tunnel needs no master key of its own. It then gets a random one, which authenticates nothing.
    /// </summary>
    internal static bool KeysComeFromControlHost(TunnelOptions options) =>
        options.ControlHost is not null && options.Key is null && options.Salt is null && options.Passphrase is null;

    /// <summary>"30 hex digits (15 bytes)".</summary>
    internal static string DescribeHex(int byteCount) =>
        string.Create(CultureInfo.InvariantCulture, $"{byteCount * 2} hex digits ({byteCount} {(byteCount == 1 ? "byte" : "bytes")})");

    private static void CheckUsable(SecretBytes? secret, string option)
    {
        if (secret is { IsDisposed: true })
        {
            throw OptionErrors.Invalid(option, $"{option} was already disposed (its bytes are zeroed); set it again.");
        }
    }

    private static void CheckNames(TunnelOptions options)
    {
        if (!Enum.IsDefined(options.Cipher))
        {
            throw OptionErrors.Invalid(OptionNames.Cipher, $"{OptionNames.Cipher}: unknown cipher {(int)options.Cipher}.");
        }

        if (!Enum.IsDefined(options.Auth))
        {
            throw OptionErrors.Invalid(OptionNames.AuthAlgo, $"{OptionNames.AuthAlgo}: unknown auth algo {(int)options.Auth}.");
        }

        if (!Enum.IsDefined(options.KdPrf))
        {
            throw OptionErrors.Invalid(OptionNames.KdPrf, $"{OptionNames.KdPrf}: unknown kd-prf {(int)options.KdPrf}.");
        }

        if (!Enum.IsDefined(options.Role))
        {
            throw OptionErrors.Invalid(OptionNames.Role, $"{OptionNames.Role}: unknown role {(int)options.Role}.");
        }

        if (!Enum.IsDefined(options.AddressFamily))
        {
            throw OptionErrors.Invalid(OptionNames.IPv4Only, $"{OptionNames.IPv4Only} / {OptionNames.IPv6Only}: unknown address family {(int)options.AddressFamily}.");
        }

        if (options.DeviceType is { } type && !Enum.IsDefined(type))
        {
            throw OptionErrors.Invalid(OptionNames.Type, $"{OptionNames.Type}: unknown device type {(int)type}.");
        }

        if (options.AuthTagLength < 0)
        {
            throw OptionErrors.Invalid(
                OptionNames.AuthTagLength,
                string.Create(CultureInfo.InvariantCulture, $"{OptionNames.AuthTagLength} {options.AuthTagLength} is negative; use 0..20 (0 = no tag)."));
        }
    }

    private static void CheckPorts(TunnelOptions options)
    {
        CheckPort(options.LocalPort, OptionNames.Port, allowZero: true);
        CheckPort(options.RemotePort, OptionNames.RemotePort, allowZero: false);
        if (options.SyncPort is { } syncPort)
        {
            CheckPort(syncPort, OptionNames.SyncPort, allowZero: false);
        }
    }

    private static void CheckPort(int port, string option, bool allowZero)
    {
        var min = allowZero ? 0 : 1;
        if (port < min || port > 65535)
        {
            throw OptionErrors.Invalid(
                option,
                string.Create(CultureInfo.InvariantCulture, $"{option} {port} is out of range; a UDP port is {min}..65535."));
        }
    }

    private static void CheckDevice(TunnelOptions options, List<string> warnings)
    {
        if (options.DeviceName is { } name)
        {
            if (name.Length == 0 || name.Length > TunnelOptions.MaxDeviceNameLength)
            {
                throw OptionErrors.Invalid(
                    OptionNames.Device,
                    string.Create(CultureInfo.InvariantCulture, $"{OptionNames.Device} '{name}' has {name.Length} characters; a Linux device name has 1..{TunnelOptions.MaxDeviceNameLength}."));
            }

            foreach (var c in name)
            {
                if (c == '/' || c == ':' || char.IsWhiteSpace(c) || char.IsControl(c))
                {
                    throw OptionErrors.Invalid(OptionNames.Device, $"{OptionNames.Device} '{name}' contains '/', ':', whitespace or a control character.");
                }
            }

            if (options.DeviceType is null && !AlgorithmNames.TryParseDeviceType(name, out _))
            {
                warnings.Add($"{OptionNames.Type} is not given and {OptionNames.Device} '{name}' does not start with tun or tap: using tun (anytun 0.3.8 refuses this; add -t tun or -t tap).");
            }
        }

        options.IfConfig?.Check();

        if (options.PostUpScript is { } script)
        {
            if (script.Length == 0)
            {
                throw OptionErrors.Invalid(OptionNames.PostUpScript, $"{OptionNames.PostUpScript} is empty.");
            }

            if (!Path.IsPathRooted(script))
            {
                warnings.Add($"{OptionNames.PostUpScript} '{script}' is not an absolute path; anytun runs it without a shell or PATH search.");
            }
        }
    }

    /// <summary>Spec §12.2: a literal -i/-r address of the other family can never work, so reject it up front.</summary>
    private static void CheckAddressFamily(TunnelOptions options)
    {
        if (options.AddressFamily == AddressFamilyPreference.Any)
        {
            return;
        }

        CheckLiteralFamily(options.LocalAddress, OptionNames.Interface, options.AddressFamily);
        CheckLiteralFamily(options.RemoteHost, OptionNames.RemoteHost, options.AddressFamily);
    }

    private static void CheckLiteralFamily(string? host, string option, AddressFamilyPreference preference)
    {
        if (host is null || !IPAddress.TryParse(host, out var address))
        {
            return;
        }

        if (preference == AddressFamilyPreference.IPv4Only && address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            throw OptionErrors.Invalid(option, $"{option} '{host}' is an IPv6 address, but {OptionNames.IPv4Only} allows only IPv4.");
        }

        if (preference == AddressFamilyPreference.IPv6Only && address.AddressFamily == AddressFamily.InterNetwork)
        {
            throw OptionErrors.Invalid(option, $"{option} '{host}' is an IPv4 address, but {OptionNames.IPv6Only} allows only IPv6.");
        }
    }

    /// <summary>
    /// anytun reads -w as any uint32 and allocates window size / 8 bytes per sender id on its first packet (512 MiB for
    /// 4294967295); the module bounds it to <see cref="Protocol.ReplayWindow.MaxSize"/>.
    /// </summary>
    private static void CheckWindowSize(TunnelOptions options)
    {
        if (options.WindowSize > Protocol.ReplayWindow.MaxSize)
        {
            throw WindowTooLarge(options.WindowSize);
        }
    }

    internal static AnytunException WindowTooLarge(uint size) => OptionErrors.Invalid(
        OptionNames.WindowSize,
        string.Create(
            CultureInfo.InvariantCulture,
            $"{OptionNames.WindowSize} {size} is too large: the replay window can be at most {Protocol.ReplayWindow.MaxSize} (anytun accepts any 32-bit value but allocates the window for each sender id on its first packet; no reordering needs more)."));

    private static void CheckMulticast(TunnelOptions options)
    {
        if (options.MulticastTtl is < 0 or > 255)
        {
            throw OptionErrors.Invalid(OptionNames.MulticastTtl, string.Create(CultureInfo.InvariantCulture, $"{OptionNames.MulticastTtl} {options.MulticastTtl} is not a hop limit from 0 to 255."));
        }

        if (options.MulticastInterface is { } name && (name.Length == 0 || name.Length > 15 || name.Contains('/') || name.Any(char.IsWhiteSpace)))
        {
            throw OptionErrors.Invalid(OptionNames.MulticastInterface, $"{OptionNames.MulticastInterface} '{name}' is not an interface name (1 to 15 characters, no '/' or blanks).");
        }

        foreach (var group in options.MulticastGroups)
        {
            var isMulticast = group.AddressFamily == AddressFamily.InterNetworkV6
                ? group.IsIPv6Multicast
                : group.AddressFamily == AddressFamily.InterNetwork && (group.GetAddressBytes()[0] & 0xF0) == 0xE0;
            if (!isMulticast)
            {
                throw OptionErrors.Invalid(OptionNames.MulticastGroup, $"{OptionNames.MulticastGroup} {group} is not a multicast address (224.0.0.0/4 or ff00::/8).");
            }
        }
    }

    private static void CheckRoutes(TunnelOptions options)
    {
        if (options.ControlHost is { } controlHost)
        {
            _ = Sync.SyncPeerAddress.Parse(controlHost, OptionNames.ControlHost);
        }

        foreach (var host in options.SyncHosts)
        {
            if (host.Length == 0)
            {
                throw OptionErrors.Invalid(OptionNames.SyncHosts, $"{OptionNames.SyncHosts} has an empty host entry.");
            }
        }
    }

    private static void CheckLogTargets(TunnelOptions options)
    {
        var seen = new HashSet<LogTargetKind>();
        foreach (var target in options.LogTargets)
        {
            target.Check();
            if (target.Kind != LogTargetKind.File && !seen.Add(target.Kind))
            {
                throw OptionErrors.Invalid(OptionNames.Log, $"{OptionNames.Log} '{target}': log target {LogTarget.KindName(target.Kind)} is given more than once.");
            }
        }
    }

    private static bool HasClusterOptions(TunnelOptions options) =>
        options.SyncInterface is not null || options.SyncPort is not null || options.SyncHosts.Count > 0
        || options.ControlHost is not null;

    private static bool HasConnectionOptions(TunnelOptions options) =>
        options.RemoteHost is not null || options.RemotePort != TunnelOptions.DefaultPort
        || options.AddressFamily != AddressFamilyPreference.Any || options.Routes.Count > 0 || options.Mux != 0
        || options.WindowSize != 0 || options.KdPrf != KeyDerivationPrf.AesCtr128 || options.Role != Role.Left
        || options.Passphrase is not null || options.Key is not null || options.Salt is not null;
}
