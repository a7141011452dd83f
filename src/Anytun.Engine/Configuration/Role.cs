namespace Anytun.Engine.Configuration;

/// <summary>Key-derivation role (anytun -e): left = alice = server, right = bob = client.</summary>
public enum Role
{
    Left,
    Right,
}
