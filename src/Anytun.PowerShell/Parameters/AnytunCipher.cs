namespace Anytun;

/// <summary>Payload cipher (anytun -c).</summary>
public enum AnytunCipher
{
    Null,
    AesCtr128,
    AesCtr192,
    AesCtr256,
}
