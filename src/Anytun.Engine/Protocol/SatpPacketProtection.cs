using System.Buffers.Binary;
using System.Security.Cryptography;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Protocol;

/// <summary>
/// Per-packet SATP crypto for one direction: derives the session keys for the packet's sequence number
/// (spec §2.3), runs AES-CTR with the packet IV (§4.1) and computes the truncated HMAC tag (§5).
/// Shared by <see cref="SatpEncoder"/> and <see cref="SatpDecoder"/>; all scratch is preallocated and pinned.
/// </summary>
internal sealed class SatpPacketProtection : IDisposable
{
    private readonly SatpKeyDerivation _keyDerivation;
    private readonly SatpLabelSet _labels;
    private readonly AesCtrCipher? _cipher;
    private readonly HmacSha1? _hmac;
    private readonly int _cipherKeyLength;

    // Layout of the pinned scratch: enc key(32) | session salt(14) | auth key(20) | IV(16) | MAC(20).
    private const int EncKeyOffset = 0;
    private const int SaltOffset = 32;
    private const int AuthKeyOffset = SaltOffset + SatpKeyDerivation.SaltLength;
    private const int IvOffset = AuthKeyOffset + HmacSha1.KeySize;
    private const int MacOffset = IvOffset + AesBlock.Size;
    private const int ScratchSize = MacOffset + HmacSha1.DigestSize;
    private readonly byte[] _scratch = GC.AllocateArray<byte>(ScratchSize, pinned: true);

    public SatpPacketProtection(SatpCryptoSuite suite, SatpLabelSet labels)
    {
        TagLength = suite.TagLength;
        _labels = labels;
        _cipherKeyLength = AlgorithmNames.KeyLength(suite.Cipher);
        _keyDerivation = suite.CreateKeyDerivation();
        if (suite.Cipher != CipherAlgorithm.Null)
        {
            _cipher = AesCtrCipher.Create();
            if (_keyDerivation.IsNull)
            {
                // Null PRF: the session key is all zeros for every packet, so expand it once.
                _cipher.SetKey(_scratch.AsSpan(EncKeyOffset, _cipherKeyLength));
            }
        }

        if (TagLength > 0)
        {
            _hmac = new HmacSha1();
        }
    }

    public int TagLength { get; }

    /// <summary>True when the AES work runs on AES-NI.</summary>
    public bool IsHardwareAccelerated => _cipher?.IsHardware ?? AesCtrCipher.IsHardwareAccelerated && !AesCtrCipher.ForcePortable;

    /// <summary>En/decrypts the payload type ‖ inner packet in place (no-op for the null cipher).</summary>
    public void ApplyCipher(Span<byte> encryptedPart, uint sequence, ushort senderId, ushort mux)
    {
        if (_cipher is null)
        {
            return;
        }

        var scratch = _scratch.AsSpan();
        var salt = scratch.Slice(SaltOffset, SatpKeyDerivation.SaltLength);
        if (!_keyDerivation.IsNull)
        {
            var key = scratch.Slice(EncKeyOffset, _cipherKeyLength);
            _keyDerivation.Derive(_labels.Encryption, sequence, key);
            _cipher.SetKey(key);
            _keyDerivation.Derive(_labels.Salt, sequence, salt);
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
    public void ComputeTag(ReadOnlySpan<byte> authenticated, uint sequence, Span<byte> tag)
    {
        if (_hmac is null)
        {
            return;
        }

        var mac = ComputeMac(authenticated, sequence);
        mac[(HmacSha1.DigestSize - TagLength)..].CopyTo(tag);
    }

    /// <summary>Fixed-time check of <paramref name="tag"/> against the expected tag; true when authentication is off.</summary>
    public bool VerifyTag(ReadOnlySpan<byte> authenticated, uint sequence, ReadOnlySpan<byte> tag)
    {
        if (_hmac is null)
        {
            return true;
        }

        var mac = ComputeMac(authenticated, sequence);
        return CryptographicOperations.FixedTimeEquals(mac[(HmacSha1.DigestSize - TagLength)..], tag);
    }

    private ReadOnlySpan<byte> ComputeMac(ReadOnlySpan<byte> authenticated, uint sequence)
    {
        var scratch = _scratch.AsSpan();
        var authKey = scratch.Slice(AuthKeyOffset, HmacSha1.KeySize);
        if (!_keyDerivation.IsNull)
        {
            _keyDerivation.Derive(_labels.Authentication, sequence, authKey);
        }

        var mac = scratch.Slice(MacOffset, HmacSha1.DigestSize);
        _hmac!.Compute(authKey, authenticated, mac);
        return mac;
    }

    public void Dispose()
    {
        _cipher?.Dispose();
        _hmac?.Dispose();
        _keyDerivation.Dispose();
        CryptographicOperations.ZeroMemory(_scratch);
    }
}
