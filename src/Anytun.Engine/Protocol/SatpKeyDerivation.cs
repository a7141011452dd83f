using System.Buffers.Binary;
using System.Security.Cryptography;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Protocol;

/// <summary>
/// The SATP "aes-ctr" PRF (spec §2.2): the AES-CTR keystream under the master key, starting at the counter block
/// salt(14) ‖ 0000 with the label XORed into bytes 6..9 and the sequence number into bytes 10..13.
/// The null PRF outputs zeros. One instance per worker thread.
/// </summary>
internal sealed class SatpKeyDerivation : IDisposable
{
    public const int SaltLength = 14;

    private readonly AesCtrCipher? _prf;
    private readonly byte[] _masterSalt = GC.AllocateArray<byte>(SaltLength, pinned: true);
    private readonly byte[] _counter = GC.AllocateArray<byte>(AesBlock.Size, pinned: true);

    public SatpKeyDerivation(KeyDerivationPrf prf, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (prf == KeyDerivationPrf.Null)
        {
            return;
        }

        masterSalt.CopyTo(_masterSalt);
        _prf = AesCtrCipher.Create();
        _prf.SetKey(masterKey);
    }

    /// <summary>True for the null PRF (all derived values are zero).</summary>
    public bool IsNull => _prf is null;

    /// <summary>Fills <paramref name="output"/> with the PRF output for <paramref name="label"/> and <paramref name="sequence"/>.</summary>
    public void Derive(uint label, uint sequence, Span<byte> output)
    {
        if (_prf is null)
        {
            output.Clear();
            return;
        }

        BuildCounterBlock(_masterSalt, label, sequence, _counter);
        _prf.GenerateKeystream(_counter, output);
    }

    /// <summary>The PRF's first counter block: salt ‖ 0000, label XOR bytes 6..9, sequence XOR bytes 10..13.</summary>
    public static void BuildCounterBlock(ReadOnlySpan<byte> masterSalt, uint label, uint sequence, Span<byte> counter)
    {
        masterSalt[..SaltLength].CopyTo(counter);
        counter[14] = 0;
        counter[15] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(counter[6..], BinaryPrimitives.ReadUInt32BigEndian(counter[6..]) ^ label);
        BinaryPrimitives.WriteUInt32BigEndian(counter[10..], BinaryPrimitives.ReadUInt32BigEndian(counter[10..]) ^ sequence);
    }

    public void Dispose()
    {
        _prf?.Dispose();
        CryptographicOperations.ZeroMemory(_masterSalt);
        CryptographicOperations.ZeroMemory(_counter);
    }
}
