using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Crypto;

/// <summary>
/// OpenSSL's low-level SHA1_Init/Update/Final, called through function pointers resolved once. For a key that changes
/// with every packet these cost a fraction of the EVP path behind <see cref="System.Security.Cryptography.IncrementalHash"/>
/// (no context copy, reset or error-queue work per call; SHA-NI where the CPU has it). The calls skip the GC transition:
/// each is a few hundred nanoseconds of pure computation that never blocks or calls back, and an HMAC makes seven of
/// them. Absent library or symbols leave <see cref="IsAvailable"/> false and callers use the BCL.
/// </summary>
internal static unsafe class NativeSha1
{
    /// <summary>Bytes reserved for a SHA_CTX (96 in OpenSSL 1.1/3.x; rounded up).</summary>
    public const int ContextSize = 128;

    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, int> InitFunction;
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int> UpdateFunction;
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int> FinalFunction;

    static NativeSha1()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (var name in new[] { "libcrypto.so.3", "libcrypto.so" })
        {
            if (NativeLibrary.TryLoad(name, out var library)
                && NativeLibrary.TryGetExport(library, "SHA1_Init", out var init)
                && NativeLibrary.TryGetExport(library, "SHA1_Update", out var update)
                && NativeLibrary.TryGetExport(library, "SHA1_Final", out var final))
            {
                InitFunction = (delegate* unmanaged[SuppressGCTransition]<byte*, int>)init;
                UpdateFunction = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int>)update;
                FinalFunction = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int>)final;
                return;
            }
        }
    }

    public static bool IsAvailable => InitFunction != null;

    /// <summary>SHA-1 of <paramref name="first"/> ‖ <paramref name="second"/> into <paramref name="digest"/> (20 bytes),
    /// using <paramref name="context"/> (<see cref="ContextSize"/> pinned bytes) as scratch.</summary>
    [MethodImpl(PacketPath.Hot)]
    public static void Hash(byte* context, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, byte* digest)
    {
        InitFunction(context);
        fixed (byte* a = first)
        fixed (byte* b = second)
        {
            UpdateFunction(context, a, (nuint)first.Length);
            if (second.Length > 0)
            {
                UpdateFunction(context, b, (nuint)second.Length);
            }
        }

        FinalFunction(digest, context);
    }
}
