namespace Anytun.Engine.Protocol;

/// <summary>SATP payload type, the first two (encrypted) bytes after the header (spec §1.1).</summary>
public enum PayloadType : ushort
{
    /// <summary>anytun's internal "tun, unknown" value; receivers drop it.</summary>
    Unknown = 0x0000,
    IPv4 = 0x0800,
    IPv6 = 0x86DD,
    /// <summary>Transparent Ethernet Bridging: every frame of a tap device.</summary>
    Ethernet = 0x6558,
}
