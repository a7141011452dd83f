using System.Security.Cryptography;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;
using Anytun.Engine.Protocol;

namespace Anytun.Engine.Connections;

/// <summary>
/// The key material of one connection: kd-prf, role (which labels each direction uses), master salt and master key,
/// plus the master key's AES-NI schedule, expanded once and then only read, so every engine thread shares it.
/// Immutable: re-keying a connection swaps the whole object, and the old one is disposed (zeroed) only after every
/// engine thread has passed a quiescent point (<see cref="QuiescentReclaimer"/>). After Dispose it never encrypts:
/// its schedule has no rounds and the codecs refuse it.
/// </summary>
public sealed class ConnectionKeys : IDisposable
{
    private readonly byte[] _masterKey;
    private readonly byte[] _masterSalt;
    private readonly AesKeySchedule? _prfSchedule;
    private volatile bool _disposed;
    private volatile bool _retired;

    private ConnectionKeys(KeyDerivationPrf kdPrf, Role role, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, bool hardware)
    {
        KdPrf = kdPrf;
        Role = role;
        Outbound = SatpLabels.Outbound(role);
        Inbound = SatpLabels.Inbound(role);
        _masterKey = GC.AllocateArray<byte>(masterKey.Length, pinned: true);
        _masterSalt = GC.AllocateArray<byte>(masterSalt.Length, pinned: true);
        masterKey.CopyTo(_masterKey);
        masterSalt.CopyTo(_masterSalt);
        if (kdPrf != KeyDerivationPrf.Null && hardware)
        {
            _prfSchedule = new AesKeySchedule();
            _prfSchedule.Expand(_masterKey);
        }
    }

    /// <summary>Effective kd-prf of this connection (null: every derived value is zero).</summary>
    public KeyDerivationPrf KdPrf { get; }

    public Role Role { get; }

    public bool IsDisposed => _disposed;

    /// <summary>Replaced or removed: no new packet will use these keys; they are disposed after the next quiescent point.</summary>
    internal bool IsRetired => _retired || _disposed;

    internal void MarkRetired() => _retired = true;

    /// <summary>Labels of the datagrams this side sends on the connection.</summary>
    internal SatpLabelSet Outbound { get; }

    /// <summary>Labels of the datagrams this side receives on the connection.</summary>
    internal SatpLabelSet Inbound { get; }

    /// <summary>True for the null kd-prf.</summary>
    internal bool IsNull => KdPrf == KeyDerivationPrf.Null;

    /// <summary>The master key's AES-NI schedule; null for the null kd-prf or the portable AES path.</summary>
    internal AesKeySchedule? PrfSchedule => _prfSchedule;

    /// <summary>The master key bytes (the portable path binds its per-thread cipher to them).</summary>
    internal ReadOnlySpan<byte> MasterKey => _masterKey;

    internal ReadOnlySpan<byte> MasterSalt => _masterSalt;

    /// <summary>Test hook: the arrays Dispose zeroes.</summary>
    internal (byte[] Key, byte[] Salt) BuffersForTests => (_masterKey, _masterSalt);

    /// <summary>
    /// Key material from raw values. <paramref name="masterKey"/> must have the kd-prf size and
    /// <paramref name="masterSalt"/> 14 bytes (both ignored for the null kd-prf); anything else throws
    /// <see cref="AnytunException"/> (<see cref="AnytunErrorCode.InvalidOption"/>) instead of anytun's silent zero keys.
    /// </summary>
    public static ConnectionKeys Create(KeyDerivationPrf kdPrf, Role role, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (!Enum.IsDefined(kdPrf) || !Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(kdPrf), "unknown kd-prf or role");
        }

        var hardware = AesCtrCipher.IsHardwareAccelerated && !AesCtrCipher.ForcePortable;
        if (kdPrf == KeyDerivationPrf.Null)
        {
            return new ConnectionKeys(kdPrf, role, default, default, hardware);
        }

        var keyLength = AlgorithmNames.KeyLength(kdPrf);
        if (masterKey.Length != keyLength)
        {
            throw new AnytunException(
                AnytunErrorCode.InvalidOption,
                $"The master key has {masterKey.Length} bytes; kd-prf {AlgorithmNames.ToName(kdPrf)} needs {keyLength} bytes.",
                OptionNames.Key);
        }

        if (masterSalt.Length != SatpKeyDerivation.SaltLength)
        {
            throw new AnytunException(
                AnytunErrorCode.InvalidOption,
                $"The master salt has {masterSalt.Length} bytes; it must have {SatpKeyDerivation.SaltLength} bytes.",
                OptionNames.Salt);
        }

        return new ConnectionKeys(kdPrf, role, masterKey, masterSalt, hardware);
    }

    /// <summary>Key material from resolved master key and salt (e.g. <see cref="MasterKeyMaterial.FromOptions"/>).</summary>
    public static ConnectionKeys Create(KeyDerivationPrf kdPrf, Role role, MasterKeyMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        return Create(kdPrf, role, material.Key.Span, material.Salt.Span);
    }

    /// <summary>Same kd-prf, role, key and salt (the key bytes compared in constant time): re-applying them is no change.</summary>
    public bool HasSameMaterial(ConnectionKeys other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ObjectDisposedException.ThrowIf(other._disposed, other);
        return KdPrf == other.KdPrf
            && Role == other.Role
            && CryptographicOperations.FixedTimeEquals(_masterKey, other._masterKey)
            && CryptographicOperations.FixedTimeEquals(_masterSalt, other._masterSalt);
    }

    /// <summary>Zeroes the master key, salt and schedule. Only the owner calls it, once no thread can still use the keys.</summary>
    public void Dispose()
    {
        _disposed = true;
        _prfSchedule?.Dispose();
        CryptographicOperations.ZeroMemory(_masterKey);
        CryptographicOperations.ZeroMemory(_masterSalt);
    }

    public override string ToString() =>
        $"role {AlgorithmNames.ToName(Role)}, kd-prf {AlgorithmNames.ToName(KdPrf)}, master key <redacted {_masterKey.Length} bytes>, master salt <redacted {_masterSalt.Length} bytes>";
}
