namespace Anytun;

/// <summary>Layer of the virtual device (anytun -t).</summary>
public enum AnytunDeviceType
{
    Tun,
    Tap,
}
