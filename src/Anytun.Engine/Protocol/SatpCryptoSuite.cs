using System.Security.Cryptography;
using Anytun.Engine.Configuration;

namespace Anytun.Engine.Protocol;

/// <summary>
/// Immutable SATP crypto configuration of one tunnel side: cipher, auth, kd-prf, effective tag length, role and
/// the master key/salt (kept in pinned arrays, zeroed on Dispose). Thread-safe to share; every encoder/decoder
/// it creates owns its own key schedules and scratch buffers.
/// </summary>
public sealed class SatpCryptoSuite : IDisposable
{
    private readonly byte[] _masterKey;
    private readonly byte[] _masterSalt;
    private bool _disposed;

    /// <summary>
    /// Builds a suite from raw values with anytun's post-processing: the null kd-prf when cipher and auth are null,
    /// tag length 0 for null auth and clamped to 20. <paramref name="masterKey"/> must have the kd-prf size and
    /// <paramref name="masterSalt"/> 14 bytes (both ignored for the null kd-prf); anything else throws
    /// <see cref="AnytunException"/> (<see cref="AnytunErrorCode.InvalidOption"/>) instead of anytun's silent zero keys.
    /// </summary>
    public SatpCryptoSuite(
        CipherAlgorithm cipher,
        AuthAlgorithm auth,
        KeyDerivationPrf kdPrf,
        int tagLength,
        Role role,
        ReadOnlySpan<byte> masterKey,
        ReadOnlySpan<byte> masterSalt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tagLength);
        Cipher = cipher;
        Auth = auth;
        Role = role;
        KdPrf = cipher == CipherAlgorithm.Null && auth == AuthAlgorithm.Null ? KeyDerivationPrf.Null : kdPrf;
        TagLength = auth == AuthAlgorithm.Null ? 0 : Math.Min(tagLength, SatpPacket.MaxTagSize);

        if (KdPrf == KeyDerivationPrf.Null)
        {
            _masterKey = GC.AllocateArray<byte>(0, pinned: true);
            _masterSalt = GC.AllocateArray<byte>(0, pinned: true);
            return;
        }

        var keyLength = AlgorithmNames.KeyLength(KdPrf);
        if (masterKey.Length != keyLength)
        {
            throw new AnytunException(
                AnytunErrorCode.InvalidOption,
                $"The master key has {masterKey.Length} bytes; kd-prf {AlgorithmNames.ToName(KdPrf)} needs {keyLength} bytes.",
                "-K/--key");
        }

        if (masterSalt.Length != SatpKeyDerivation.SaltLength)
        {
            throw new AnytunException(
                AnytunErrorCode.InvalidOption,
                $"The master salt has {masterSalt.Length} bytes; it must have {SatpKeyDerivation.SaltLength} bytes.",
                "-A/--salt");
        }

        _masterKey = GC.AllocateArray<byte>(keyLength, pinned: true);
        _masterSalt = GC.AllocateArray<byte>(SatpKeyDerivation.SaltLength, pinned: true);
        masterKey.CopyTo(_masterKey);
        masterSalt.CopyTo(_masterSalt);
    }

    public CipherAlgorithm Cipher { get; }

    public AuthAlgorithm Auth { get; }

    /// <summary>Effective kd-prf (null when cipher and auth are null).</summary>
    public KeyDerivationPrf KdPrf { get; }

    /// <summary>Effective tag length T on the wire (0..20).</summary>
    public int TagLength { get; }

    public Role Role { get; }

    /// <summary>Datagram overhead on top of the inner packet: header + payload type + tag.</summary>
    public int Overhead => SatpPacket.InnerOffset + TagLength;

    /// <summary>
    /// Builds the suite of <paramref name="options"/>: effective algorithms and tag length, master key and salt from
    /// -K/-A or the passphrase (spec §3). Invalid key material throws <see cref="AnytunException"/>.
    /// </summary>
    public static SatpCryptoSuite FromOptions(TunnelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var material = MasterKeyMaterial.FromOptions(options);
        return new SatpCryptoSuite(
            options.Cipher,
            options.Auth,
            options.EffectiveKdPrf,
            options.EffectiveTagLength,
            options.Role,
            material.Key.Span,
            material.Salt.Span);
    }

    /// <summary>A new outbound packet encoder (one per connection, single thread).</summary>
    public SatpEncoder CreateEncoder() => new(this);

    /// <summary>A new inbound packet decoder (one per connection, single thread).</summary>
    public SatpDecoder CreateDecoder() => new(this);

    /// <summary>A PRF instance over this suite's master key (tests and the encoder/decoder).</summary>
    internal SatpKeyDerivation CreateKeyDerivation()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new SatpKeyDerivation(KdPrf, _masterKey, _masterSalt);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CryptographicOperations.ZeroMemory(_masterKey);
        CryptographicOperations.ZeroMemory(_masterSalt);
    }

    public override string ToString() =>
        $"cipher {AlgorithmNames.ToName(Cipher)}, auth {AlgorithmNames.ToName(Auth)}, kd-prf {AlgorithmNames.ToName(KdPrf)}, tag {TagLength}, role {AlgorithmNames.ToName(Role)}";
}
