using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Crypto;
using Anytun.Engine.Sync;
using Anytun.Engine.Transport;

namespace Anytun.Engine.Configuration;

/// <summary>
/// One connection-table entry as anytun-config builds it (spec §2): mux, remote endpoint, window size, kd-prf, role,
/// master key and salt (derived from a passphrase or given as hex) and the routes to the mux. Immutable; owns its
/// key material (zeroed by <see cref="Dispose"/>; never in <see cref="ToString"/>).
/// <see cref="CreateCommandsAsync"/> gives the commands whose frames anytun-config prints.
/// </summary>
public sealed class AnytunConnectionDefinition : IDisposable
{
    /// <summary>anytun-config's default remote port.</summary>
    public const ushort DefaultRemotePort = 4444;

    /// <summary>What anytun-config logs (twice) when the master key does not fit the kd-prf, e.g. when none is given.</summary>
    public const string KeyLengthsMismatch = "KeyDerivation::updateMasterKey: key lengths don't match";

    /// <summary>What anytun-config logs when the master salt is not 14 bytes.</summary>
    public const string SaltLengthsMismatch = "KeyDerivation::updateMasterKey: salt lengths don't match";

    private readonly ConnectionRoute[] _routes;

    /// <summary>
    /// Builds a definition with anytun-config's defaults. The secrets are copied (the caller keeps and disposes its
    /// own). With a kd-prf other than null: -K must have the kd-prf's key length and -A 14 bytes; whatever is not given
    /// is derived from <paramref name="passphrase"/>; with neither, key and salt stay empty as in anytun-config (set5),
    /// with its warning.
    /// </summary>
    /// <exception cref="AnytunException">InvalidOption naming the anytun-config option of a bad value.</exception>
    public AnytunConnectionDefinition(
        ushort mux = 0,
        string? remoteHost = null,
        ushort remotePort = DefaultRemotePort,
        AddressFamilyPreference addressFamily = AddressFamilyPreference.Any,
        uint windowSize = 0,
        KeyDerivationPrf kdPrf = KeyDerivationPrf.AesCtr128,
        Role role = Role.Left,
        SecretBytes? passphrase = null,
        SecretBytes? key = null,
        SecretBytes? salt = null,
        IEnumerable<ConnectionRoute>? routes = null)
    {
        CheckDefined(kdPrf, OptionNames.KdPrf);
        CheckDefined(role, OptionNames.Role);
        CheckDefined(addressFamily, OptionNames.IPv4Only);

        Mux = mux;
        RemoteHost = string.IsNullOrEmpty(remoteHost) ? null : remoteHost;
        RemotePort = remotePort;
        AddressFamily = addressFamily;
        WindowSize = windowSize;
        KdPrf = kdPrf;
        Role = role;
        _routes = routes?.ToArray() ?? Array.Empty<ConnectionRoute>();
        var warnings = new List<string>();
        (MasterKey, MasterSalt) = DeriveKeyMaterial(kdPrf, passphrase, key, salt, warnings);
        foreach (var route in _routes)
        {
            if (route.HangsReferenceImplementation)
            {
                warnings.Add($"{OptionNames.Route} {route}: a real anytun 0.3.8 that installs this prefix loops forever (its last partial octet ends at 0xff); split it into prefixes whose length is a multiple of 8, or expect anytun peers to hang.");
            }
        }

        Warnings = warnings;
    }

    public ushort Mux { get; }

    /// <summary>-r as given (a name or a literal); null when not given (written as 0.0.0.0, or :: with -6).</summary>
    public string? RemoteHost { get; }

    public ushort RemotePort { get; }

    /// <summary>-4 / -6: which family -r resolves to.</summary>
    public AddressFamilyPreference AddressFamily { get; }

    public uint WindowSize { get; }

    public KeyDerivationPrf KdPrf { get; }

    public Role Role { get; }

    /// <summary>Key length in bits the connection command carries (0 for the null kd-prf).</summary>
    public ushort KeyLengthBits => (ushort)(AlgorithmNames.KeyLength(KdPrf) * 8);

    /// <summary>The master key the command carries (empty when none was given, or with the null kd-prf).</summary>
    public SecretBytes MasterKey { get; }

    /// <summary>The master salt the command carries.</summary>
    public SecretBytes MasterSalt { get; }

    /// <summary>-R, in command-line order.</summary>
    public IReadOnlyList<ConnectionRoute> Routes => _routes;

    /// <summary>What anytun-config would log (e.g. <see cref="KeyLengthsMismatch"/>), and hang warnings for routes.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Resolves with the system resolver (first address of the allowed family), failing instead of retrying.</summary>
    public static RemoteHostResolver SystemResolver { get; } = ResolveWithDnsAsync;

    /// <summary>
    /// The commands anytun-config prints: the connection (sequence counter 0), then one route per -R in order. Literal
    /// addresses need no resolver; names use <paramref name="resolver"/> (default <see cref="SystemResolver"/>).
    /// The caller disposes the connection command.
    /// </summary>
    /// <exception cref="AnytunException">InvalidOption (a literal of the wrong family) or ResolveFailed.</exception>
    public async Task<IReadOnlyList<SyncCommand>> CreateCommandsAsync(RemoteHostResolver? resolver = null, CancellationToken cancellationToken = default)
    {
        var address = await ResolveAsync(resolver ?? SystemResolver, cancellationToken).ConfigureAwait(false);
        var commands = new List<SyncCommand>(1 + _routes.Length)
        {
            new SyncConnectionCommand(Mux, Role, KeyLengthBits, MasterSalt, MasterKey, WindowSize, 0, InetAddressText.Format(address), RemotePort),
        };
        foreach (var route in _routes)
        {
            commands.Add(route.ToCommand(Mux));
        }

        return commands;
    }

    public void Dispose()
    {
        MasterKey.Dispose();
        MasterSalt.Dispose();
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"mux {Mux}: remote {RemoteHost ?? "(any)"} port {RemotePort}, role {AlgorithmNames.ToName(Role)}, kd-prf {AlgorithmNames.ToName(KdPrf)}, window {WindowSize}, {_routes.Length} route(s): {string.Join(", ", _routes.Select(r => r.ToString()))}");

    private static void CheckDefined<T>(T value, string option)
        where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw OptionErrors.Invalid(option, $"{option}: {value:D} is not a defined value.");
        }
    }

    private static (SecretBytes Key, SecretBytes Salt) DeriveKeyMaterial(KeyDerivationPrf prf, SecretBytes? passphrase, SecretBytes? key, SecretBytes? salt, List<string> warnings)
    {
        if (prf == KeyDerivationPrf.Null)
        {
            if (passphrase is not null || key is not null || salt is not null)
            {
                warnings.Add($"kd-prf null carries no key material: {OptionNames.Passphrase}, {OptionNames.Key} and {OptionNames.Salt} are ignored.");
            }

            return (SecretBytes.FromBytes(default), SecretBytes.FromBytes(default));
        }

        var keyLength = AlgorithmNames.KeyLength(prf);
        if (passphrase is { Length: 0 })
        {
            throw OptionErrors.Invalid(OptionNames.Passphrase, $"{OptionNames.Passphrase} is empty.");
        }

        if (key is not null && key.Length != keyLength)
        {
            throw OptionErrors.Invalid(
                OptionNames.Key,
                $"{OptionNames.Key} has {TunnelOptionsValidator.DescribeHex(key.Length)}; kd-prf {AlgorithmNames.ToName(prf)} needs {TunnelOptionsValidator.DescribeHex(keyLength)} (anytun-config would write it anyway and log \"{KeyLengthsMismatch}\").");
        }

        if (salt is not null && salt.Length != TunnelOptionsValidator.MasterSaltLength)
        {
            throw OptionErrors.Invalid(
                OptionNames.Salt,
                $"{OptionNames.Salt} has {TunnelOptionsValidator.DescribeHex(salt.Length)}; the master salt must be {TunnelOptionsValidator.DescribeHex(TunnelOptionsValidator.MasterSaltLength)}.");
        }

        var masterKey = key?.Clone()
            ?? (passphrase is null ? SecretBytes.FromBytes(default) : MasterKeyMaterial.KeyFromPassphrase(passphrase.Span, keyLength));
        var masterSalt = salt?.Clone()
            ?? (passphrase is null ? SecretBytes.FromBytes(default) : MasterKeyMaterial.SaltFromPassphrase(passphrase.Span));
        if (masterKey.Length != keyLength)
        {
            warnings.Add($"{KeyLengthsMismatch}: no {OptionNames.Passphrase} or {OptionNames.Key}, so the connection carries an empty master key and receivers keep their placeholder key.");
        }
        else if (masterSalt.Length != TunnelOptionsValidator.MasterSaltLength)
        {
            warnings.Add($"{SaltLengthsMismatch}: {OptionNames.Key} without {OptionNames.Salt} or {OptionNames.Passphrase}, so the connection carries an empty master salt and receivers do not re-key.");
        }

        return (masterKey, masterSalt);
    }

    private static async Task<IPAddress> ResolveWithDnsAsync(string host, AddressFamilyPreference family, CancellationToken cancellationToken)
    {
        try
        {
            return (await EndpointResolver.ResolveRemoteAsync(host, 0, family, cancellationToken).ConfigureAwait(false)).Address;
        }
        catch (SocketException exception)
        {
            throw new AnytunException(
                AnytunErrorCode.ResolveFailed,
                $"{OptionNames.RemoteHost} '{host}' cannot be resolved to an address of the allowed family: {exception.Message} (anytun-config would retry every 10 seconds forever).",
                OptionNames.RemoteHost,
                exception);
        }
    }

    private async Task<IPAddress> ResolveAsync(RemoteHostResolver resolver, CancellationToken cancellationToken)
    {
        if (RemoteHost is null)
        {
            // The resolver's passive wildcard: 0.0.0.0, or :: with -6.
            return AddressFamily == AddressFamilyPreference.IPv6Only ? IPAddress.IPv6Any : IPAddress.Any;
        }

        if (EndpointResolver.TryParseRemoteLiteral(RemoteHost, RemotePort, AddressFamily) is { } literal)
        {
            return literal.Address;
        }

        var address = await resolver(RemoteHost, AddressFamily, cancellationToken).ConfigureAwait(false);
        if (!EndpointResolver.Allows(AddressFamily, address.AddressFamily))
        {
            throw new AnytunException(AnytunErrorCode.ResolveFailed, $"{OptionNames.RemoteHost} '{RemoteHost}' resolved to {address}, which {AddressFamily} does not allow.", OptionNames.RemoteHost);
        }

        return address;
    }
}
