namespace Anytun.Engine.Configuration;

/// <summary>Outer address family restriction (anytun -4 / -6).</summary>
public enum AddressFamilyPreference
{
    Any,
    IPv4Only,
    IPv6Only,
}
