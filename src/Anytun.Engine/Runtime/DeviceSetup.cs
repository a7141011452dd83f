using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Anytun.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Runtime;

/// <summary>Opens the tunnel's device (or takes the injected one) and configures it as anytun's -n does.</summary>
internal static class DeviceSetup
{
    /// <summary>The injected device, or /dev/net/tun with the offloads the settings ask for.</summary>
    public static IPacketDevice Open(TunnelOptions options, IPacketDevice? injected, OffloadSettings offloads, ILogger logger)
    {
        var device = injected ?? LinuxTunDevice.Open(
            options.DeviceName,
            options.EffectiveDeviceType,
            offloads.TunOffload ? TunOffloads.All : TunOffloads.None);
        if (device is LinuxTunDevice { Offloads: not TunOffloads.None } tun)
        {
            OffloadLog.TunOffloads(logger, tun.Name, tun.Offloads.ToString());
        }

        EngineLog.DeviceOpened(logger, device.Kind == DeviceType.Tap ? "tap" : "tun", device.Name, device.Mtu);
        return device;
    }

    /// <summary>-n: address, prefix, MTU 1400, up. Without -n anytun leaves the device down (the post-up script may
    /// configure it).</summary>
    public static void ConfigureInterface(IPacketDevice device, IfConfig? ifConfig, ILogger logger)
    {
        if (ifConfig is null)
        {
            return;
        }

        if (device is not LinuxTunDevice linux)
        {
            EngineLog.InterfaceConfigSkipped(logger, device.Name);
            return;
        }

        Netlink.ConfigureInterface(linux.Name, ifConfig.Address, ifConfig.PrefixLength, Netlink.AnytunMtu, broadcast: linux.Kind == DeviceType.Tap);
        linux.Mtu = Netlink.AnytunMtu;
        EngineLog.InterfaceConfigured(logger, linux.Name, ifConfig.Address.ToString(), ifConfig.PrefixLength, Netlink.AnytunMtu);
    }
}
