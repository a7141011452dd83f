using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Anytun.Engine.Crypto;

/// <summary>
/// AES-CTR on top of <see cref="System.Security.Cryptography.Aes"/>: counter blocks are ECB-encrypted into a
/// scratch keystream and XORed. Used where AES-NI is missing. The ECB transform is cached per key, so a fixed key
/// (the PRF's master key) costs no allocation; each key change creates a new BCL transform (~170 bytes), which
/// the net8.0 API cannot avoid — SATP re-keys the packet cipher for every packet.
/// </summary>
internal sealed class PortableAesCtrCipher : AesCtrCipher
{
    private const int ChunkBlocks = 128;

    private readonly System.Security.Cryptography.Aes _aes = System.Security.Cryptography.Aes.Create();
    private readonly byte[] _counters = GC.AllocateArray<byte>(ChunkBlocks * AesBlock.Size, pinned: true);
    private readonly byte[] _keystream = GC.AllocateArray<byte>(ChunkBlocks * AesBlock.Size, pinned: true);
    private readonly byte[] _key128 = GC.AllocateArray<byte>(16, pinned: true);
    private readonly byte[] _key192 = GC.AllocateArray<byte>(24, pinned: true);
    private readonly byte[] _key256 = GC.AllocateArray<byte>(32, pinned: true);
    private byte[]? _key;
    private ICryptoTransform? _encryptor;
    private bool _disposed;

    public PortableAesCtrCipher()
    {
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
    }

    public override bool IsHardware => false;

    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>: a disposed cipher never encrypts again.</exception>
    public override void SetKey(ReadOnlySpan<byte> key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckKeyLength(key.Length);
        _key = key.Length switch { 16 => _key128, 24 => _key192, _ => _key256 };
        key.CopyTo(_key);
        _encryptor?.Dispose();
        _encryptor = null;
    }

    public override void Transform(ReadOnlySpan<byte> counterBlock, ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckTransformArguments(counterBlock, input, output);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_key is null)
        {
            throw new InvalidOperationException("SetKey was not called.");
        }

        // Created on first use after a key change: the only allocation of this class.
        _encryptor ??= _aes.CreateEncryptor(_key, null);

        var high = BinaryPrimitives.ReadUInt64BigEndian(counterBlock);
        var low = BinaryPrimitives.ReadUInt64BigEndian(counterBlock[8..]);
        var offset = 0;
        while (offset < input.Length)
        {
            var chunk = Math.Min(input.Length - offset, _counters.Length);
            var blocks = (chunk + AesBlock.Size - 1) / AesBlock.Size;
            for (var b = 0; b < blocks; b++)
            {
                AesBlock.WriteCounter(_counters.AsSpan(b * AesBlock.Size, AesBlock.Size), high, low);
                AesBlock.Increment(ref high, ref low);
            }

            _encryptor.TransformBlock(_counters, 0, blocks * AesBlock.Size, _keystream, 0);
            AesBlock.Xor(input.Slice(offset, chunk), _keystream, output.Slice(offset, chunk));
            offset += chunk;
        }
    }

    /// <summary>Forgets the key (zeroed) until the next <see cref="SetKey"/>; the cipher stays usable.</summary>
    public void ClearKey()
    {
        _encryptor?.Dispose();
        _encryptor = null;
        _key = null;
        CryptographicOperations.ZeroMemory(_key128);
        CryptographicOperations.ZeroMemory(_key192);
        CryptographicOperations.ZeroMemory(_key256);
    }

    public override void Dispose()
    {
        _disposed = true;
        ClearKey();
        CryptographicOperations.ZeroMemory(_counters);
        CryptographicOperations.ZeroMemory(_keystream);
        _aes.Dispose();
    }
}
