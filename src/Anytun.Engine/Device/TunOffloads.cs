namespace Anytun.Engine.Device;

/// <summary>TUNSETOFFLOAD bits (linux/if_tun.h) plus <see cref="HeaderOnly"/>: the virtio header is on but no offload is.</summary>
[Flags]
internal enum TunOffloads : uint
{
    None = 0,
    Checksum = 0x01,
    Tso4 = 0x02,
    Tso6 = 0x04,
    Uso4 = 0x20,
    Uso6 = 0x40,
    Tso = Tso4 | Tso6,
    Uso = Uso4 | Uso6,
    All = Checksum | Tso | Uso,

    /// <summary>Not a kernel bit: the device has IFF_VNET_HDR but the kernel accepted no offload.</summary>
    HeaderOnly = 0x8000_0000,
}
