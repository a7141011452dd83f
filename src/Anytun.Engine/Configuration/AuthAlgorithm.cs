namespace Anytun.Engine.Configuration;

/// <summary>Packet authentication (anytun -a).</summary>
public enum AuthAlgorithm
{
    Null,
    Sha1,
}
