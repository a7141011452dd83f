namespace Anytun;

/// <summary>Packet authentication (anytun -a).</summary>
public enum AnytunAuthAlgorithm
{
    Null,
    Sha1,
}
