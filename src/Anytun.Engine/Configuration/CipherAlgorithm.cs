namespace Anytun.Engine.Configuration;

/// <summary>Packet cipher (anytun -c). "aes-ctr" without a size means AesCtr128.</summary>
public enum CipherAlgorithm
{
    Null,
    AesCtr128,
    AesCtr192,
    AesCtr256,
}
