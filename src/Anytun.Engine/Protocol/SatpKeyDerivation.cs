using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Anytun.Engine.Connections;
using Anytun.Engine.Crypto;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Protocol;

/// <summary>
/// The SATP "aes-ctr" PRF (spec §2.2): the AES-CTR keystream under the master key, starting at the counter block
/// salt(14) ‖ 0000 with the label XORed into bytes 6..9 and the sequence number into bytes 10..13.
/// The null PRF outputs zeros. One instance per engine thread (its counter block is scratch); the master key comes
/// with each call, from the connection's <see cref="ConnectionKeys"/>. With AES-NI the keys' shared schedule is
/// used directly; the portable path binds this thread's own cipher to the keys and rebinds when they change.
/// </summary>
internal sealed class SatpKeyDerivation : IDisposable
{
    public const int SaltLength = 14;

    private readonly byte[] _counter = GC.AllocateArray<byte>(AesBlock.Size, pinned: true);
    private PortableAesCtrCipher? _portable;
    private ConnectionKeys? _portableKeys;

    /// <summary>Fills <paramref name="output"/> with the PRF output of <paramref name="keys"/> for
    /// <paramref name="label"/> and <paramref name="sequence"/>.</summary>
    /// <exception cref="ObjectDisposedException"><paramref name="keys"/> were disposed: nothing is derived from zeroed keys.</exception>
    public void Derive(ConnectionKeys keys, uint label, uint sequence, Span<byte> output)
    {
        if (keys.IsNull)
        {
            output.Clear();
            return;
        }

        ObjectDisposedException.ThrowIf(keys.IsDisposed, keys);
        BuildCounterBlock(keys.MasterSalt, label, sequence, _counter);
        if (keys.PrfSchedule is { } schedule)
        {
            AesNiCtrCipher.GenerateKeystream(schedule, _counter, output);
            return;
        }

        if (!ReferenceEquals(keys, _portableKeys))
        {
            _portable ??= new PortableAesCtrCipher();
            _portable.SetKey(keys.MasterKey);
            _portableKeys = keys;
        }

        _portable!.GenerateKeystream(_counter, output);
    }

    /// <summary>
    /// Zeroes this thread's copy of a master key whose keys object was retired (portable path only). Engine threads call
    /// it at their quiescent point, so a replaced key does not linger in a thread's cipher.
    /// </summary>
    [MethodImpl(PacketPath.Hot)]
    public void ForgetRetiredKeys()
    {
        if (_portableKeys is { IsRetired: true })
        {
            _portable!.ClearKey();
            _portableKeys = null;
        }
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
        _portable?.Dispose();
        _portableKeys = null;
        CryptographicOperations.ZeroMemory(_counter);
    }
}
