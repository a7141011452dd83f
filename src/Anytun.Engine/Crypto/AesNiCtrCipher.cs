using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Crypto;

/// <summary>
/// AES-CTR with AES-NI: key expansion per packet is a few dozen instructions, up to eight blocks in flight.
/// The instance owns one schedule (the per-packet session key); <see cref="Transform(AesKeySchedule, ReadOnlySpan{byte},
/// ReadOnlySpan{byte}, Span{byte})"/> runs over any schedule, e.g. a connection's shared master-key schedule.
/// </summary>
internal sealed class AesNiCtrCipher : AesCtrCipher
{
    private const int Lanes = 4;

    private readonly AesKeySchedule _schedule = new();

    public override bool IsHardware => true;

    /// <summary>Test hook: the round keys of this cipher's own schedule.</summary>
    internal AesKeySchedule ScheduleForTests => _schedule;

    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>: a disposed cipher never encrypts again.</exception>
    [MethodImpl(PacketPath.Hot)]
    public override void SetKey(ReadOnlySpan<byte> key)
    {
        CheckKeyLength(key.Length);
        _schedule.Expand(key);
    }

    [MethodImpl(PacketPath.Hot)]
    public override void Transform(ReadOnlySpan<byte> counterBlock, ReadOnlySpan<byte> input, Span<byte> output) =>
        Transform(_schedule, counterBlock, input, output);

    /// <summary>The raw keystream under <paramref name="schedule"/> (the SATP PRF over a connection's master key).</summary>
    [MethodImpl(PacketPath.Hot)]
    public static void GenerateKeystream(AesKeySchedule schedule, ReadOnlySpan<byte> counterBlock, Span<byte> output)
    {
        output.Clear();
        Transform(schedule, counterBlock, output, output);
    }

    /// <summary>CTR over <paramref name="schedule"/> (read only, so threads may share it).</summary>
    /// <exception cref="ObjectDisposedException">The schedule was disposed (or never expanded): nothing is encrypted.</exception>
    [MethodImpl(PacketPath.Hot)]
    public static void Transform(AesKeySchedule schedule, ReadOnlySpan<byte> counterBlock, ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckTransformArguments(counterBlock, input, output);
        var rounds = schedule.Rounds;
        if (rounds == 0)
        {
            throw schedule.IsDisposed
                ? new ObjectDisposedException(nameof(AesKeySchedule), "The AES key schedule was disposed; it never encrypts again.")
                : new InvalidOperationException("SetKey was not called.");
        }

        var high = BinaryPrimitives.ReadUInt64BigEndian(counterBlock);
        var low = BinaryPrimitives.ReadUInt64BigEndian(counterBlock[8..]);
        ref var keys = ref schedule.FirstRoundKey;
        ref var source = ref MemoryMarshal.GetReference(input);
        ref var destination = ref MemoryMarshal.GetReference(output);
        var length = input.Length;
        var offset = 0;

        // Eight blocks in flight keep both AES units of current x64 cores busy (latency ~4, throughput 2/cycle).
        for (; offset + (2 * Lanes * AesBlock.Size) <= length; offset += 2 * Lanes * AesBlock.Size)
        {
            var b0 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            var b1 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            var b2 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            var b3 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            var b4 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            var b5 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            var b6 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            var b7 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            EncryptEight(ref keys, rounds, ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
            var at = (nuint)offset;
            (Vector128.LoadUnsafe(ref source, at) ^ b0).StoreUnsafe(ref destination, at);
            (Vector128.LoadUnsafe(ref source, at + 16) ^ b1).StoreUnsafe(ref destination, at + 16);
            (Vector128.LoadUnsafe(ref source, at + 32) ^ b2).StoreUnsafe(ref destination, at + 32);
            (Vector128.LoadUnsafe(ref source, at + 48) ^ b3).StoreUnsafe(ref destination, at + 48);
            (Vector128.LoadUnsafe(ref source, at + 64) ^ b4).StoreUnsafe(ref destination, at + 64);
            (Vector128.LoadUnsafe(ref source, at + 80) ^ b5).StoreUnsafe(ref destination, at + 80);
            (Vector128.LoadUnsafe(ref source, at + 96) ^ b6).StoreUnsafe(ref destination, at + 96);
            (Vector128.LoadUnsafe(ref source, at + 112) ^ b7).StoreUnsafe(ref destination, at + 112);
        }

        if (offset + (Lanes * AesBlock.Size) <= length)
        {
            var b0 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            var b1 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            var b2 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            var b3 = Counter(high, low); AesBlock.Increment(ref high, ref low);
            EncryptFour(ref keys, rounds, ref b0, ref b1, ref b2, ref b3);
            var at = (nuint)offset;
            (Vector128.LoadUnsafe(ref source, at) ^ b0).StoreUnsafe(ref destination, at);
            (Vector128.LoadUnsafe(ref source, at + 16) ^ b1).StoreUnsafe(ref destination, at + 16);
            (Vector128.LoadUnsafe(ref source, at + 32) ^ b2).StoreUnsafe(ref destination, at + 32);
            (Vector128.LoadUnsafe(ref source, at + 48) ^ b3).StoreUnsafe(ref destination, at + 48);
            offset += Lanes * AesBlock.Size;
        }

        for (; offset + AesBlock.Size <= length; offset += AesBlock.Size)
        {
            var block = EncryptOne(ref keys, rounds, Counter(high, low));
            AesBlock.Increment(ref high, ref low);
            (Vector128.LoadUnsafe(ref source, (nuint)offset) ^ block).StoreUnsafe(ref destination, (nuint)offset);
        }

        if (offset < length)
        {
            // Partial last block: keystream through a stack block, then byte-wise XOR.
            Span<byte> keystream = stackalloc byte[AesBlock.Size];
            EncryptOne(ref keys, rounds, Counter(high, low)).CopyTo(keystream);
            for (var i = 0; offset + i < length; i++)
            {
                Unsafe.Add(ref destination, offset + i) = (byte)(Unsafe.Add(ref source, offset + i) ^ keystream[i]);
            }

            CryptographicOperations.ZeroMemory(keystream);
        }
    }

    public override void Dispose() => _schedule.Dispose();

    // Vector element 0 is stored little-endian, so byte-reversing each half lays the counter out big-endian.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Counter(ulong high, ulong low) =>
        Vector128.Create(BinaryPrimitives.ReverseEndianness(high), BinaryPrimitives.ReverseEndianness(low)).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> EncryptOne(ref Vector128<byte> keys, int rounds, Vector128<byte> block)
    {
        block ^= keys;
        for (var r = 1; r < rounds; r++)
        {
            block = X86Aes.Encrypt(block, Unsafe.Add(ref keys, r));
        }

        return X86Aes.EncryptLast(block, Unsafe.Add(ref keys, rounds));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EncryptEight(
        ref Vector128<byte> keys,
        int rounds,
        ref Vector128<byte> b0,
        ref Vector128<byte> b1,
        ref Vector128<byte> b2,
        ref Vector128<byte> b3,
        ref Vector128<byte> b4,
        ref Vector128<byte> b5,
        ref Vector128<byte> b6,
        ref Vector128<byte> b7)
    {
        var k = keys;
        b0 ^= k; b1 ^= k; b2 ^= k; b3 ^= k; b4 ^= k; b5 ^= k; b6 ^= k; b7 ^= k;
        for (var r = 1; r < rounds; r++)
        {
            k = Unsafe.Add(ref keys, r);
            b0 = X86Aes.Encrypt(b0, k);
            b1 = X86Aes.Encrypt(b1, k);
            b2 = X86Aes.Encrypt(b2, k);
            b3 = X86Aes.Encrypt(b3, k);
            b4 = X86Aes.Encrypt(b4, k);
            b5 = X86Aes.Encrypt(b5, k);
            b6 = X86Aes.Encrypt(b6, k);
            b7 = X86Aes.Encrypt(b7, k);
        }

        k = Unsafe.Add(ref keys, rounds);
        b0 = X86Aes.EncryptLast(b0, k);
        b1 = X86Aes.EncryptLast(b1, k);
        b2 = X86Aes.EncryptLast(b2, k);
        b3 = X86Aes.EncryptLast(b3, k);
        b4 = X86Aes.EncryptLast(b4, k);
        b5 = X86Aes.EncryptLast(b5, k);
        b6 = X86Aes.EncryptLast(b6, k);
        b7 = X86Aes.EncryptLast(b7, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EncryptFour(
        ref Vector128<byte> keys, int rounds, ref Vector128<byte> b0, ref Vector128<byte> b1, ref Vector128<byte> b2, ref Vector128<byte> b3)
    {
        var k = keys;
        b0 ^= k; b1 ^= k; b2 ^= k; b3 ^= k;
        for (var r = 1; r < rounds; r++)
        {
            k = Unsafe.Add(ref keys, r);
            b0 = X86Aes.Encrypt(b0, k);
            b1 = X86Aes.Encrypt(b1, k);
            b2 = X86Aes.Encrypt(b2, k);
            b3 = X86Aes.Encrypt(b3, k);
        }

        k = Unsafe.Add(ref keys, rounds);
        b0 = X86Aes.EncryptLast(b0, k);
        b1 = X86Aes.EncryptLast(b1, k);
        b2 = X86Aes.EncryptLast(b2, k);
        b3 = X86Aes.EncryptLast(b3, k);
    }
}
