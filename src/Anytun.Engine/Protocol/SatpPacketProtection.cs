using System.Buffers.Binary;
using System.Security.Cryptography;
using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Protocol;

/// <summary>
/// Per-packet SATP crypto for one direction: derives the session keys of the packet's sequence number from the
/// connection's keys (spec §2.3), runs AES-CTR with the packet IV (§4.1) and computes the truncated HMAC tag (§5).
/// Shared by <see cref="SatpEncoder"/> and <see cref="SatpDecoder"/>. One per engine thread: the scratch (session
/// keys, IV, MAC) and the session-key cipher are this thread's; the keys come with every call.
/// </summary>
internal sealed class SatpPacketProtection : IDisposable
{
    private readonly bool _outbound;
    private readonly AesCtrCipher? _cipher;
    private readonly HmacSha1? _hmac;
    private readonly int _cipherKeyLength;
    private readonly SatpKeyDerivation _keyDerivation = new();
    private bool _cipherHoldsZeroKey;
    private bool _disposed;

    // Layout of the pinned scratch: enc key(32) | session salt(14) | auth key(20) | IV(16) | MAC(20).
    private const int EncKeyOffset = 0;
    private const int SaltOffset = 32;
    private const int AuthKeyOffset = SaltOffset + SatpKeyDerivation.SaltLength;
    private const int IvOffset = AuthKeyOffset + HmacSha1.KeySize;
    private const int MacOffset = IvOffset + AesBlock.Size;
    private const int ScratchSize = MacOffset + HmacSha1.DigestSize;
    private readonly byte[] _scratch = GC.AllocateArray<byte>(ScratchSize, pinned: true);

    /// <param name="algorithms">The tunnel's cipher, auth and tag length.</param>
    /// <param name="outbound">True for the sending direction (own role's labels), false for receiving.</param>
    public SatpPacketProtection(SatpAlgorithms algorithms, bool outbound)
    {
        TagLength = algorithms.TagLength;
        _outbound = outbound;
        _cipherKeyLength = AlgorithmNames.KeyLength(algorithms.Cipher);
        if (algorithms.Cipher != CipherAlgorithm.Null)
        {
            _cipher = AesCtrCipher.Create();
        }

        if (TagLength > 0)
        {
            _hmac = new HmacSha1();
        }
    }

    public int TagLength { get; }

    /// <summary>True when the AES work runs on AES-NI.</summary>
    public bool IsHardwareAccelerated => _cipher?.IsHardware ?? AesCtrCipher.IsHardwareAccelerated && !AesCtrCipher.ForcePortable;

    /// <summary>Set by Dispose; the codecs check it before touching a packet.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>En/decrypts the payload type ‖ inner packet in place (no-op for the null cipher).</summary>
    public void ApplyCipher(ConnectionKeys keys, Span<byte> encryptedPart, uint sequence, ushort senderId, ushort mux)
    {
        if (_cipher is null)
        {
            return;
        }

        var scratch = _scratch.AsSpan();
        var salt = scratch.Slice(SaltOffset, SatpKeyDerivation.SaltLength);
        var key = scratch.Slice(EncKeyOffset, _cipherKeyLength);
        if (keys.IsNull)
        {
            // Null PRF: session key and salt are all zeros for every packet, so the cipher keeps the zero key.
            salt.Clear();
            if (!_cipherHoldsZeroKey)
            {
                key.Clear();
                _cipher.SetKey(key);
                _cipherHoldsZeroKey = true;
            }
        }
        else
        {
            var labels = Labels(keys);
            _keyDerivation.Derive(keys, labels.Encryption, sequence, key);
            _cipher.SetKey(key);
            _cipherHoldsZeroKey = false;
            _keyDerivation.Derive(keys, labels.Salt, sequence, salt);
        }

        var iv = scratch.Slice(IvOffset, AesBlock.Size);
        BuildPacketIv(salt, sequence, senderId, mux, iv);
        _cipher.Transform(iv, encryptedPart, encryptedPart);
    }

    /// <summary>Packet IV (spec §4.1): session salt ‖ 0000, mux XOR bytes 4..5, sender id 6..7, sequence 10..13.</summary>
    public static void BuildPacketIv(ReadOnlySpan<byte> sessionSalt, uint sequence, ushort senderId, ushort mux, Span<byte> iv)
    {
        sessionSalt[..SatpKeyDerivation.SaltLength].CopyTo(iv);
        iv[14] = 0;
        iv[15] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(iv[4..], (ushort)(BinaryPrimitives.ReadUInt16BigEndian(iv[4..]) ^ mux));
        BinaryPrimitives.WriteUInt16BigEndian(iv[6..], (ushort)(BinaryPrimitives.ReadUInt16BigEndian(iv[6..]) ^ senderId));
        BinaryPrimitives.WriteUInt32BigEndian(iv[10..], BinaryPrimitives.ReadUInt32BigEndian(iv[10..]) ^ sequence);
    }

    /// <summary>Writes the last <see cref="TagLength"/> bytes of HMAC-SHA1(auth key(seq), authenticated) to <paramref name="tag"/>.</summary>
    public void ComputeTag(ConnectionKeys keys, ReadOnlySpan<byte> authenticated, uint sequence, Span<byte> tag)
    {
        if (_hmac is null)
        {
            return;
        }

        var mac = ComputeMac(keys, authenticated, sequence);
        mac[(HmacSha1.DigestSize - TagLength)..].CopyTo(tag);
    }

    /// <summary>Fixed-time check of <paramref name="tag"/> against the expected tag; true when authentication is off.</summary>
    public bool VerifyTag(ConnectionKeys keys, ReadOnlySpan<byte> authenticated, uint sequence, ReadOnlySpan<byte> tag)
    {
        if (_hmac is null)
        {
            return true;
        }

        var mac = ComputeMac(keys, authenticated, sequence);
        return CryptographicOperations.FixedTimeEquals(mac[(HmacSha1.DigestSize - TagLength)..], tag);
    }

    /// <summary>See <see cref="SatpKeyDerivation.ForgetRetiredKeys"/>.</summary>
    public void ForgetRetiredKeys() => _keyDerivation.ForgetRetiredKeys();

    private SatpLabelSet Labels(ConnectionKeys keys) => _outbound ? keys.Outbound : keys.Inbound;

    private ReadOnlySpan<byte> ComputeMac(ConnectionKeys keys, ReadOnlySpan<byte> authenticated, uint sequence)
    {
        var scratch = _scratch.AsSpan();
        var authKey = scratch.Slice(AuthKeyOffset, HmacSha1.KeySize);
        if (keys.IsNull)
        {
            authKey.Clear();
        }
        else
        {
            _keyDerivation.Derive(keys, Labels(keys).Authentication, sequence, authKey);
        }

        var mac = scratch.Slice(MacOffset, HmacSha1.DigestSize);
        _hmac!.Compute(authKey, authenticated, mac);
        return mac;
    }

    public void Dispose()
    {
        _disposed = true;
        _cipher?.Dispose();
        _hmac?.Dispose();
        _keyDerivation.Dispose();
        CryptographicOperations.ZeroMemory(_scratch);
    }
}
