namespace Anytun.Engine.Configuration;

/// <summary>Kind of virtual device (anytun -t): layer 3 (tun) or layer 2 (tap).</summary>
public enum DeviceType
{
    Tun,
    Tap,
}
