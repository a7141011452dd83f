using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace Anytun.Engine.Crypto;

/// <summary>
/// Expanded AES-NI round keys in a pinned array (the GC never copies them), zeroed on <see cref="Dispose"/>.
/// A connection's master-key schedule is expanded once and then only read, so every engine thread may share it;
/// the per-packet session-key schedule belongs to one thread's cipher. After Dispose it has no rounds, so
/// <see cref="AesNiCtrCipher"/> refuses to encrypt with it instead of running an all-zero key schedule.
/// </summary>
internal sealed class AesKeySchedule : IDisposable
{
    private const int MaxRoundKeys = 15;

    private readonly Vector128<byte>[] _roundKeys = GC.AllocateArray<Vector128<byte>>(MaxRoundKeys, pinned: true);
    private int _rounds;
    private volatile bool _disposed;

    /// <summary>AES rounds of the expanded key (10/12/14); 0 before <see cref="Expand"/> and after Dispose.</summary>
    public int Rounds => _rounds;

    public bool IsDisposed => _disposed;

    /// <summary>Test hook: the round keys, to prove they are zeroed.</summary>
    internal Vector128<byte>[] RoundKeysForTests => _roundKeys;

    /// <summary>The first round key; <see cref="Rounds"/> + 1 keys follow it.</summary>
    public ref Vector128<byte> FirstRoundKey => ref MemoryMarshal.GetArrayDataReference(_roundKeys);

    /// <summary>Expands a 16, 24 or 32 byte key, replacing the previous one.</summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Expand(ReadOnlySpan<byte> key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        AesNiKeyExpansion.Expand(key, _roundKeys);
        _rounds = AesNiKeyExpansion.Rounds(key.Length);
    }

    public void Dispose()
    {
        _disposed = true;
        _rounds = 0;
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_roundKeys.AsSpan()));
    }
}
