using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;

namespace Anytun.Engine.Protocol;

/// <summary>
/// One side of a single SATP connection: the tunnel-wide <see cref="SatpAlgorithms"/> together with one connection's
/// <see cref="ConnectionKeys"/> (owned, zeroed on Dispose). The encoders/decoders it creates use those keys by
/// default. The engine itself keeps the two halves apart (keys per connection); this pairing serves tools, tests
/// and benchmarks, and <see cref="FromOptions"/> builds the command line's connection.
/// </summary>
public sealed class SatpCryptoSuite : IDisposable
{
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
        : this(new SatpAlgorithms(cipher, auth, kdPrf, tagLength), role, masterKey, masterSalt)
    {
    }

    private SatpCryptoSuite(SatpAlgorithms algorithms, Role role, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        Algorithms = algorithms;
        Keys = ConnectionKeys.Create(algorithms.KdPrf, role, masterKey, masterSalt);
    }

    /// <summary>The tunnel-wide half: cipher, auth, kd-prf, tag length.</summary>
    public SatpAlgorithms Algorithms { get; }

    /// <summary>The connection half: role, master key and salt (owned by the suite).</summary>
    public ConnectionKeys Keys { get; }

    public CipherAlgorithm Cipher => Algorithms.Cipher;

    public AuthAlgorithm Auth => Algorithms.Auth;

    /// <summary>Effective kd-prf (null when cipher and auth are null).</summary>
    public KeyDerivationPrf KdPrf => Algorithms.KdPrf;

    /// <summary>Effective tag length T on the wire (0..20).</summary>
    public int TagLength => Algorithms.TagLength;

    public Role Role => Keys.Role;

    /// <summary>Datagram overhead on top of the inner packet: header + payload type + tag.</summary>
    public int Overhead => Algorithms.Overhead;

    /// <summary>
    /// Builds the suite of <paramref name="options"/>: effective algorithms and tag length, master key and salt from
    /// -K/-A or the passphrase (spec §3). Invalid key material throws <see cref="AnytunException"/>.
    /// </summary>
    public static SatpCryptoSuite FromOptions(TunnelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var material = MasterKeyMaterial.FromOptions(options);
        return new SatpCryptoSuite(SatpAlgorithms.FromOptions(options), options.Role, material.Key.Span, material.Salt.Span);
    }

    /// <summary>A new outbound packet encoder using this suite's keys (one thread at a time).</summary>
    public SatpEncoder CreateEncoder()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new SatpEncoder(Algorithms, Keys);
    }

    /// <summary>A new inbound packet decoder using this suite's keys (one thread at a time).</summary>
    public SatpDecoder CreateDecoder()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new SatpDecoder(Algorithms, Keys);
    }

    /// <summary>A per-thread PRF instance (tests derive session values with it and <see cref="Keys"/>).</summary>
    internal SatpKeyDerivation CreateKeyDerivation()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new SatpKeyDerivation();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Keys.Dispose();
    }

    public override string ToString() => $"{Algorithms}, role {AlgorithmNames.ToName(Role)}";
}
