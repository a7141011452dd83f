namespace Anytun;

/// <summary>Key-derivation role (anytun -e); both ends must differ.</summary>
public enum AnytunRole
{
    Left,
    Right,
}
