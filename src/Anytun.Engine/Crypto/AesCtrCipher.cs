using System.Runtime.Intrinsics.X86;

namespace Anytun.Engine.Crypto;

/// <summary>
/// AES in counter mode with a 128-bit big-endian block counter (SATP packet cipher and key-derivation PRF).
/// One instance per worker thread: it owns scratch state and is re-keyed per packet.
/// </summary>
internal abstract class AesCtrCipher : IDisposable
{
    /// <summary>Test/diagnostic switch: when true, <see cref="Create"/> returns the portable implementation.</summary>
    public static bool ForcePortable { get; set; }

    /// <summary>True when the AES-NI path can run on this CPU.</summary>
    public static bool IsHardwareAccelerated => System.Runtime.Intrinsics.X86.Aes.IsSupported && Sse2.IsSupported;

    /// <summary>True for the AES-NI implementation.</summary>
    public abstract bool IsHardware { get; }

    /// <summary>Picks the hardware path unless unavailable or <see cref="ForcePortable"/> is set.</summary>
    public static AesCtrCipher Create() =>
        IsHardwareAccelerated && !ForcePortable ? new AesNiCtrCipher() : new PortableAesCtrCipher();

    /// <summary>Expands a 16, 24 or 32 byte key; replaces the previous key.</summary>
    public abstract void SetKey(ReadOnlySpan<byte> key);

    /// <summary>
    /// XORs the keystream that starts at <paramref name="counterBlock"/> into <paramref name="input"/> and writes
    /// <paramref name="output"/>. Input and output may be the same span (in place) but must not partially overlap.
    /// </summary>
    public abstract void Transform(ReadOnlySpan<byte> counterBlock, ReadOnlySpan<byte> input, Span<byte> output);

    /// <summary>Writes the raw keystream (CTR encryption of zeros) — what the SATP PRF outputs.</summary>
    public void GenerateKeystream(ReadOnlySpan<byte> counterBlock, Span<byte> output)
    {
        output.Clear();
        Transform(counterBlock, output, output);
    }

    public abstract void Dispose();

    protected static void CheckKeyLength(int length)
    {
        if (length is not (16 or 24 or 32))
        {
            throw new ArgumentException("AES key must be 16, 24 or 32 bytes.", nameof(length));
        }
    }

    protected static void CheckTransformArguments(ReadOnlySpan<byte> counterBlock, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (counterBlock.Length != AesBlock.Size)
        {
            throw new ArgumentException("Counter block must be 16 bytes.", nameof(counterBlock));
        }

        if (output.Length < input.Length)
        {
            throw new ArgumentException("Output is shorter than input.", nameof(output));
        }
    }
}
