using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Crypto;

/// <summary>
/// AES encryption key schedules with AESKEYGENASSIST (FIPS-197 key expansion, the round-constant
/// sequence unrolled because the instruction needs an immediate). Round keys go to a caller-owned span.
/// </summary>
internal static class AesNiKeyExpansion
{
    /// <summary>Number of rounds for a key of <paramref name="keyLength"/> bytes.</summary>
    public static int Rounds(int keyLength) => keyLength switch
    {
        16 => 10,
        24 => 12,
        _ => 14,
    };

    /// <summary>Writes Rounds+1 round keys into <paramref name="roundKeys"/> (needs 15 slots for AES-256).</summary>
    [MethodImpl(PacketPath.Hot)]
    public static void Expand(ReadOnlySpan<byte> key, Span<Vector128<byte>> roundKeys)
    {
        switch (key.Length)
        {
            case 16:
                Expand128(key, roundKeys);
                break;
            case 24:
                Expand192(key, roundKeys);
                break;
            default:
                Expand256(key, roundKeys);
                break;
        }
    }

    private static void Expand128(ReadOnlySpan<byte> key, Span<Vector128<byte>> rk)
    {
        var k = Vector128.Create(key);
        rk[0] = k;
        k = Next128(k, X86Aes.KeygenAssist(k, 0x01)); rk[1] = k;
        k = Next128(k, X86Aes.KeygenAssist(k, 0x02)); rk[2] = k;
        k = Next128(k, X86Aes.KeygenAssist(k, 0x04)); rk[3] = k;
        k = Next128(k, X86Aes.KeygenAssist(k, 0x08)); rk[4] = k;
        k = Next128(k, X86Aes.KeygenAssist(k, 0x10)); rk[5] = k;
        k = Next128(k, X86Aes.KeygenAssist(k, 0x20)); rk[6] = k;
        k = Next128(k, X86Aes.KeygenAssist(k, 0x40)); rk[7] = k;
        k = Next128(k, X86Aes.KeygenAssist(k, 0x80)); rk[8] = k;
        k = Next128(k, X86Aes.KeygenAssist(k, 0x1B)); rk[9] = k;
        k = Next128(k, X86Aes.KeygenAssist(k, 0x36)); rk[10] = k;
    }

    // w[i..i+3] = prefix-XOR of the previous four words, then XOR RotWord(SubWord(w3)) ^ rcon (word 3 of assist).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Next128(Vector128<byte> previous, Vector128<byte> assist)
    {
        assist = Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();
        return PrefixXor(previous) ^ assist;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> PrefixXor(Vector128<byte> v)
    {
        v ^= Sse2.ShiftLeftLogical128BitLane(v, 4);
        v ^= Sse2.ShiftLeftLogical128BitLane(v, 4);
        v ^= Sse2.ShiftLeftLogical128BitLane(v, 4);
        return v;
    }

    private static void Expand256(ReadOnlySpan<byte> key, Span<Vector128<byte>> rk)
    {
        var a = Vector128.Create(key);
        var b = Vector128.Create(key[16..]);
        rk[0] = a;
        rk[1] = b;
        a = Next128(a, X86Aes.KeygenAssist(b, 0x01)); rk[2] = a;
        b = Odd256(b, a); rk[3] = b;
        a = Next128(a, X86Aes.KeygenAssist(b, 0x02)); rk[4] = a;
        b = Odd256(b, a); rk[5] = b;
        a = Next128(a, X86Aes.KeygenAssist(b, 0x04)); rk[6] = a;
        b = Odd256(b, a); rk[7] = b;
        a = Next128(a, X86Aes.KeygenAssist(b, 0x08)); rk[8] = a;
        b = Odd256(b, a); rk[9] = b;
        a = Next128(a, X86Aes.KeygenAssist(b, 0x10)); rk[10] = a;
        b = Odd256(b, a); rk[11] = b;
        a = Next128(a, X86Aes.KeygenAssist(b, 0x20)); rk[12] = a;
        b = Odd256(b, a); rk[13] = b;
        a = Next128(a, X86Aes.KeygenAssist(b, 0x40)); rk[14] = a;
    }

    // AES-256 odd round keys use SubWord without rotation and without rcon: word 2 of the assist output.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Odd256(Vector128<byte> previousOdd, Vector128<byte> latestEven)
    {
        var assist = Sse2.Shuffle(X86Aes.KeygenAssist(latestEven, 0x00).AsUInt32(), 0xAA).AsByte();
        return PrefixXor(previousOdd) ^ assist;
    }

    private static void Expand192(ReadOnlySpan<byte> key, Span<Vector128<byte>> rk)
    {
        // The 6-word key period does not align with 4-word round keys: 'low' holds words i..i+3 and 'high'
        // words i+4..i+5 in its low half; round keys are stitched together from the two.
        var low = Vector128.Create(key);
        var high = Vector128.Create(BinaryPrimitives.ReadUInt64LittleEndian(key[16..]), 0UL).AsByte();
        var pending = high;
        rk[0] = low;

        Step192(ref low, ref high, X86Aes.KeygenAssist(high, 0x01));
        rk[1] = Sse2.Shuffle(pending.AsDouble(), low.AsDouble(), 0).AsByte();
        rk[2] = Sse2.Shuffle(low.AsDouble(), high.AsDouble(), 1).AsByte();

        Step192(ref low, ref high, X86Aes.KeygenAssist(high, 0x02));
        rk[3] = low;
        pending = high;

        Step192(ref low, ref high, X86Aes.KeygenAssist(high, 0x04));
        rk[4] = Sse2.Shuffle(pending.AsDouble(), low.AsDouble(), 0).AsByte();
        rk[5] = Sse2.Shuffle(low.AsDouble(), high.AsDouble(), 1).AsByte();

        Step192(ref low, ref high, X86Aes.KeygenAssist(high, 0x08));
        rk[6] = low;
        pending = high;

        Step192(ref low, ref high, X86Aes.KeygenAssist(high, 0x10));
        rk[7] = Sse2.Shuffle(pending.AsDouble(), low.AsDouble(), 0).AsByte();
        rk[8] = Sse2.Shuffle(low.AsDouble(), high.AsDouble(), 1).AsByte();

        Step192(ref low, ref high, X86Aes.KeygenAssist(high, 0x20));
        rk[9] = low;
        pending = high;

        Step192(ref low, ref high, X86Aes.KeygenAssist(high, 0x40));
        rk[10] = Sse2.Shuffle(pending.AsDouble(), low.AsDouble(), 0).AsByte();
        rk[11] = Sse2.Shuffle(low.AsDouble(), high.AsDouble(), 1).AsByte();

        Step192(ref low, ref high, X86Aes.KeygenAssist(high, 0x80));
        rk[12] = low;
    }

    // Next six words: 'low' (4 words) from its prefix-XOR and RotWord(SubWord(word 1 of high)) ^ rcon,
    // then 'high' (2 words) chained from the new word 3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step192(ref Vector128<byte> low, ref Vector128<byte> high, Vector128<byte> assist)
    {
        assist = Sse2.Shuffle(assist.AsUInt32(), 0x55).AsByte();
        low = PrefixXor(low) ^ assist;
        var broadcast = Sse2.Shuffle(low.AsUInt32(), 0xFF).AsByte();
        high ^= Sse2.ShiftLeftLogical128BitLane(high, 4);
        high ^= broadcast;
    }
}
