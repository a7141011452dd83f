using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Crypto;
using Anytun.Engine.Protocol;

namespace Anytun.Engine.Control;

/// <summary>
/// What a connection gets when a writer does not say: the tunnel command line's key material (master key, salt, role,
/// kd-prf), its -w and its -4/-6. Owns the default keys (zeroed on Dispose); every connection gets its own copy, so
/// re-keying one never touches another.
/// </summary>
internal sealed class ConnectionDefaults : IDisposable
{
    private readonly SatpAlgorithms _algorithms;

    public ConnectionDefaults(TunnelOptions options, SatpAlgorithms algorithms)
    {
        _algorithms = algorithms;
        WindowSize = options.WindowSize;
        AddressFamily = options.AddressFamily;
        using var material = MasterKeyMaterial.FromOptions(options);
        Keys = ConnectionKeys.Create(algorithms.KdPrf, options.Role, material);
    }

    /// <summary>The command line's keys: learning authenticates with them, and they seed connections without key settings.</summary>
    public ConnectionKeys Keys { get; }

    public uint WindowSize { get; }

    public AddressFamilyPreference AddressFamily { get; }

    /// <summary>A private copy of the default keys (for a learned or a new connection without key settings).</summary>
    public ConnectionKeys CopyOfDefaultKeys() => ConnectionKeys.Create(Keys.KdPrf, Keys.Role, Keys.MasterKey, Keys.MasterSalt);

    /// <summary>
    /// The keys for <paramref name="spec"/>: every key setting it gives, the rest from <paramref name="basis"/> (the
    /// connection's current keys for a change, the defaults otherwise). A passphrase supplies key and salt unless
    /// those are given too (spec §3.1).
    /// </summary>
    /// <exception cref="AnytunException">InvalidOption: the key does not fit the kd-prf, the salt is not 14 bytes.</exception>
    public ConnectionKeys BuildKeys(ConnectionSpec spec, ConnectionKeys? basis)
    {
        basis ??= Keys;
        var kdPrf = _algorithms.KdPrf == KeyDerivationPrf.Null ? KeyDerivationPrf.Null : spec.KdPrf ?? basis.KdPrf;
        var role = spec.Role ?? basis.Role;
        if (kdPrf == KeyDerivationPrf.Null)
        {
            return ConnectionKeys.Create(kdPrf, role, default, default);
        }

        CheckUsable(spec.Passphrase, OptionNames.Passphrase);
        CheckUsable(spec.Key, OptionNames.Key);
        CheckUsable(spec.Salt, OptionNames.Salt);
        SecretBytes? derivedKey = null;
        SecretBytes? derivedSalt = null;
        try
        {
            if (spec.Passphrase is { } passphrase)
            {
                if (passphrase.Length == 0)
                {
                    throw new AnytunException(AnytunErrorCode.InvalidOption, $"{OptionNames.Passphrase} is empty.", OptionNames.Passphrase);
                }

                derivedKey = spec.Key is null ? MasterKeyMaterial.KeyFromPassphrase(passphrase.Span, AlgorithmNames.KeyLength(kdPrf)) : null;
                derivedSalt = spec.Salt is null ? MasterKeyMaterial.SaltFromPassphrase(passphrase.Span) : null;
            }

            var key = spec.Key is not null ? spec.Key.Span : derivedKey is not null ? derivedKey.Span : basis.MasterKey;
            var salt = spec.Salt is not null ? spec.Salt.Span : derivedSalt is not null ? derivedSalt.Span : basis.MasterSalt;
            return ConnectionKeys.Create(kdPrf, role, key, salt);
        }
        finally
        {
            derivedKey?.Dispose();
            derivedSalt?.Dispose();
        }
    }

    /// <summary>The window size of <paramref name="requested"/> (or the default), checked against the maximum.</summary>
    public uint CheckWindowSize(uint? requested)
    {
        var size = requested ?? WindowSize;
        if (size > ReplayWindow.MaxSize)
        {
            throw TunnelOptionsValidator.WindowTooLarge(size);
        }

        return size;
    }

    public void Dispose() => Keys.Dispose();

    private static void CheckUsable(SecretBytes? secret, string option)
    {
        if (secret is { IsDisposed: true })
        {
            throw new AnytunException(AnytunErrorCode.InvalidOption, $"{option} was already disposed (its bytes are zeroed); set it again.", option);
        }
    }
}
