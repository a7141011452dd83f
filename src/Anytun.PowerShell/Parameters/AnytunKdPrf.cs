namespace Anytun;

/// <summary>Key-derivation pseudo-random function (anytun -k).</summary>
public enum AnytunKdPrf
{
    Null,
    AesCtr128,
    AesCtr192,
    AesCtr256,
}
