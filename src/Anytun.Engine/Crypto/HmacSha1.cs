using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Crypto;

/// <summary>
/// HMAC-SHA1 (RFC 2104) for a key that changes with every packet. The BCL HMAC objects bind one key for their
/// lifetime, so the pads are built here and hashed with OpenSSL's SHA1_* functions (<see cref="NativeSha1"/>) or, where
/// those are missing, one reusable <see cref="IncrementalHash"/>: two SHA-1 passes, no allocation. One instance per
/// worker thread.
/// </summary>
internal sealed unsafe class HmacSha1 : IDisposable
{
    public const int DigestSize = 20;
    public const int KeySize = 20;
    private const int BlockSize = 64;
    private const byte InnerPadByte = 0x36;
    private const byte OuterPadByte = 0x5C;

    private readonly IncrementalHash _sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);

    // SHA_CTX for the native path, and the inner digest it writes.
    private readonly byte[] _context = GC.AllocateArray<byte>(NativeSha1.ContextSize, pinned: true);

    // key ^ ipad; bytes after the key stay 0x36 (a zero-padded key).
    private readonly byte[] _innerPad = GC.AllocateArray<byte>(BlockSize, pinned: true);

    // key ^ opad followed by the inner digest, hashed in one call.
    private readonly byte[] _outerInput = GC.AllocateArray<byte>(BlockSize + DigestSize, pinned: true);

    /// <param name="useNative">Use OpenSSL's SHA1_* when present (false: always the BCL path; tests run both).</param>
    public HmacSha1(bool useNative = true)
    {
        IsNative = useNative && NativeSha1.IsAvailable;
        _innerPad.AsSpan().Fill(InnerPadByte);
        _outerInput.AsSpan(0, BlockSize).Fill(OuterPadByte);
    }

    /// <summary>True when the OpenSSL SHA1_* path is in use.</summary>
    public bool IsNative { get; }

    /// <summary>Writes HMAC-SHA1(<paramref name="key"/>, <paramref name="data"/>) to <paramref name="mac"/> (20 bytes).</summary>
    [MethodImpl(PacketPath.Hot)]
    public void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        if (key.Length != KeySize || mac.Length < DigestSize)
        {
            throw new ArgumentException("HMAC-SHA1 here takes a 20-byte key and a 20-byte output.");
        }

        for (var i = 0; i < KeySize; i++)
        {
            _innerPad[i] = (byte)(key[i] ^ InnerPadByte);
            _outerInput[i] = (byte)(key[i] ^ OuterPadByte);
        }

        if (IsNative)
        {
            fixed (byte* context = _context)
            fixed (byte* innerDigest = &_outerInput[BlockSize])
            fixed (byte* output = mac)
            {
                NativeSha1.Hash(context, _innerPad, data, innerDigest);
                NativeSha1.Hash(context, _outerInput, ReadOnlySpan<byte>.Empty, output);
            }

            return;
        }

        _sha1.AppendData(_innerPad);
        _sha1.AppendData(data);
        _sha1.TryGetHashAndReset(_outerInput.AsSpan(BlockSize), out _);
        _sha1.AppendData(_outerInput);
        _sha1.TryGetHashAndReset(mac, out _);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_innerPad);
        CryptographicOperations.ZeroMemory(_outerInput);
        CryptographicOperations.ZeroMemory(_context);
        _sha1.Dispose();
    }
}
