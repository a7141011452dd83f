namespace Anytun.Engine.Configuration;

/// <summary>Key-derivation pseudo random function (anytun --kd-prf). Its size fixes the master key length.</summary>
public enum KeyDerivationPrf
{
    Null,
    AesCtr128,
    AesCtr192,
    AesCtr256,
}
