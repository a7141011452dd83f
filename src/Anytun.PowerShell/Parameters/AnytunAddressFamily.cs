namespace Anytun;

/// <summary>Outer address family restriction (anytun -4 / -6).</summary>
public enum AnytunAddressFamily
{
    IPv4,
    IPv6,
}
