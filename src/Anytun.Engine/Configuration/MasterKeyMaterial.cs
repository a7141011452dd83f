using System.Security.Cryptography;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Configuration;

/// <summary>
/// The master key and master salt a tunnel derives its session keys from (spec §3): -K / -A as given, otherwise
/// from the passphrase — key = last K bytes of SHA-256, salt = last 14 bytes of SHA-1 — each independently.
/// Owns copies of the secrets; dispose to zero them.
/// </summary>
public sealed class MasterKeyMaterial : IDisposable
{
    private MasterKeyMaterial(SecretBytes key, SecretBytes salt)
    {
        Key = key;
        Salt = salt;
    }

    /// <summary>Master key (16/24/32 bytes for the kd-prf; empty with the null kd-prf).</summary>
    public SecretBytes Key { get; }

    /// <summary>Master salt (14 bytes; empty with the null kd-prf).</summary>
    public SecretBytes Salt { get; }

    /// <summary>Resolves the key material of <paramref name="options"/>; throws InvalidOption like Validate does.</summary>
    public static MasterKeyMaterial FromOptions(TunnelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TunnelOptionsValidator.CheckKeyMaterial(options);

        var prf = options.EffectiveKdPrf;
        if (prf == KeyDerivationPrf.Null)
        {
            return new MasterKeyMaterial(SecretBytes.FromBytes(default), SecretBytes.FromBytes(default));
        }

        if (TunnelOptionsValidator.KeysComeFromControlHost(options))
        {
            // Nothing may authenticate with the tunnel's own keys: the control host supplies every connection's.
            return new MasterKeyMaterial(
                SecretBytes.MoveFrom(RandomNumberGenerator.GetBytes(AlgorithmNames.KeyLength(prf))),
                SecretBytes.MoveFrom(RandomNumberGenerator.GetBytes(TunnelOptionsValidator.MasterSaltLength)));
        }

        var key = options.Key?.Clone() ?? KeyFromPassphrase(options.Passphrase!.Span, AlgorithmNames.KeyLength(prf));
        try
        {
            var salt = options.Salt?.Clone() ?? SaltFromPassphrase(options.Passphrase!.Span);
            return new MasterKeyMaterial(key, salt);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Last <paramref name="keyLength"/> bytes of SHA-256(passphrase).</summary>
    public static SecretBytes KeyFromPassphrase(ReadOnlySpan<byte> passphrase, int keyLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keyLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keyLength, SHA256.HashSizeInBytes);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        try
        {
            SHA256.HashData(passphrase, digest);
            return SecretBytes.FromBytes(digest[(SHA256.HashSizeInBytes - keyLength)..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(digest);
        }
    }

    /// <summary>Last 14 bytes of SHA-1(passphrase).</summary>
    public static SecretBytes SaltFromPassphrase(ReadOnlySpan<byte> passphrase)
    {
        Span<byte> digest = stackalloc byte[SHA1.HashSizeInBytes];
        try
        {
            SHA1.HashData(passphrase, digest);
            return SecretBytes.FromBytes(digest[(SHA1.HashSizeInBytes - TunnelOptionsValidator.MasterSaltLength)..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(digest);
        }
    }

    public void Dispose()
    {
        Key.Dispose();
        Salt.Dispose();
    }

    public override string ToString() => $"master key {Key}, master salt {Salt}";
}
