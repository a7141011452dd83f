using System.Security.Cryptography;

namespace Anytun.Engine.Crypto;

/// <summary>
/// AES-CTR on top of <see cref="System.Security.Cryptography.Aes"/>: counter blocks are ECB-encrypted into a
/// scratch keystream and XORed. Used where AES-NI is missing. Note: the BCL allocates a small native-context
/// wrapper per <c>EncryptEcb</c> call and a key copy per key change; that cost is inherent to the BCL API.
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
    private bool _hasKey;

    public override bool IsHardware => false;

    public override void SetKey(ReadOnlySpan<byte> key)
    {
        CheckKeyLength(key.Length);
        // net8.0 has no Aes.SetKey(span): stage the key in a pinned array of the right size (the setter copies it).
        var staging = key.Length switch { 16 => _key128, 24 => _key192, _ => _key256 };
        key.CopyTo(staging);
        _aes.Key = staging;
        CryptographicOperations.ZeroMemory(staging);
        _hasKey = true;
    }

    public override void Transform(ReadOnlySpan<byte> counterBlock, ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckTransformArguments(counterBlock, input, output);
        if (!_hasKey)
        {
            throw new InvalidOperationException("SetKey was not called.");
        }

        var high = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(counterBlock);
        var low = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(counterBlock[8..]);
        var offset = 0;
        while (offset < input.Length)
        {
            var chunk = Math.Min(input.Length - offset, _counters.Length);
            var blocks = (chunk + AesBlock.Size - 1) / AesBlock.Size;
            var counterBytes = _counters.AsSpan(0, blocks * AesBlock.Size);
            for (var b = 0; b < blocks; b++)
            {
                AesBlock.WriteCounter(counterBytes.Slice(b * AesBlock.Size, AesBlock.Size), high, low);
                AesBlock.Increment(ref high, ref low);
            }

            _aes.EncryptEcb(counterBytes, _keystream, PaddingMode.None);
            AesBlock.Xor(input.Slice(offset, chunk), _keystream, output.Slice(offset, chunk));
            offset += chunk;
        }
    }

    public override void Dispose()
    {
        CryptographicOperations.ZeroMemory(_counters);
        CryptographicOperations.ZeroMemory(_keystream);
        _aes.Dispose();
    }
}
