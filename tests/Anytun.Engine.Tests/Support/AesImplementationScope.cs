using Anytun.Engine.Crypto;

namespace Anytun.Engine.Tests.Support;

/// <summary>Selects the AES implementation for the lifetime of the scope.</summary>
public sealed class AesImplementationScope : IDisposable
{
    private readonly bool _previous;

    public AesImplementationScope(bool portable)
    {
        if (!portable && !AesCtrCipher.IsHardwareAccelerated)
        {
            // No AES-NI on this machine: both variants exercise the portable path.
            portable = true;
        }

        _previous = AesCtrCipher.ForcePortable;
        AesCtrCipher.ForcePortable = portable;
    }

    public void Dispose() => AesCtrCipher.ForcePortable = _previous;
}
