using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Anytun.Engine.Crypto;

/// <summary>Block-level helpers shared by both AES-CTR implementations.</summary>
internal static class AesBlock
{
    public const int Size = 16;

    /// <summary>Writes the 128-bit big-endian counter <paramref name="high"/>:<paramref name="low"/> as a block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteCounter(Span<byte> destination, ulong high, ulong low)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], low);
    }

    /// <summary>Adds one to a 128-bit big-endian counter held as two halves (wraps at 2^128).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Increment(ref ulong high, ref ulong low)
    {
        low++;
        if (low == 0)
        {
            high++;
        }
    }

    /// <summary>destination[i] = left[i] ^ right[i] for i &lt; destination.Length; spans may alias exactly.</summary>
    public static void Xor(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        var length = destination.Length;
        if (left.Length < length || right.Length < length)
        {
            throw new ArgumentException("Inputs are shorter than the destination.", nameof(destination));
        }

        ref var l = ref MemoryMarshal.GetReference(left);
        ref var r = ref MemoryMarshal.GetReference(right);
        ref var d = ref MemoryMarshal.GetReference(destination);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<byte>.Count <= length; i += Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref l, (nuint)i) ^ Vector256.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
            }
        }

        for (; i + Vector128<byte>.Count <= length; i += Vector128<byte>.Count)
        {
            (Vector128.LoadUnsafe(ref l, (nuint)i) ^ Vector128.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref l, i) ^ Unsafe.Add(ref r, i));
        }
    }
}
