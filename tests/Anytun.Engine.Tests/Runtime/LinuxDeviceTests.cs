using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>Real /dev/net/tun devices and rtnetlink inside private network namespaces.</summary>
[Trait("Category", "RequiresRoot")]
public sealed class LinuxDeviceTests
{
    [RequiresRootFact]
    public void TunWithoutNameGetsAKernelChosenNameAndVanishesOnDispose()
    {
        RootEnvironment.Require();
        using var ns = NetNamespace.Create();
        var device = ns.Invoke(() => LinuxTunDevice.Open(null, DeviceType.Tun));
        try
        {
            Assert.StartsWith("tun", device.Name);
            Assert.Equal(DeviceType.Tun, device.Kind);
            Assert.Equal(1500, device.Mtu);
            var link = ns.Exec("ip", "link", "show", device.Name);
            Assert.Contains("POINTOPOINT", link);
            Assert.DoesNotContain(",UP", link);
        }
        finally
        {
            device.Dispose();
        }

        Assert.NotEqual(0, ns.ExecStatus("ip", "link", "show", device.Name));
    }

    [RequiresRootFact]
    public void TapIsConfiguredThroughNetlinkLikeAnytunsIfconfig()
    {
        RootEnvironment.Require();
        using var ns = NetNamespace.Create();
        using var device = ns.Invoke(() =>
        {
            var opened = LinuxTunDevice.Open("h3tap0", DeviceType.Tap);
            Netlink.ConfigureInterface(opened.Name, IPAddress.Parse("10.200.7.1"), 24, Netlink.AnytunMtu, broadcast: true);
            return opened;
        });

        Assert.Equal("h3tap0", device.Name);
        var link = ns.Exec("ip", "link", "show", "h3tap0");
        Assert.Contains("mtu 1400", link);
        Assert.Contains("UP", link);
        var address = ns.Exec("ip", "-4", "addr", "show", "dev", "h3tap0");
        Assert.Contains("inet 10.200.7.1/24 brd 10.200.7.255", address);
    }

    [RequiresRootFact]
    public void SecondOpenOfTheSameNameSaysTheNameIsInUse()
    {
        RootEnvironment.Require();
        using var ns = NetNamespace.Create();
        using var first = ns.Invoke(() => LinuxTunDevice.Open("h3busy0", DeviceType.Tun));
        var error = Assert.Throws<AnytunException>(() => ns.Invoke(() => LinuxTunDevice.Open("h3busy0", DeviceType.Tun)));
        Assert.Equal(AnytunErrorCode.DeviceInUse, error.Code);
        Assert.Equal("h3busy0", error.Target);
        Assert.Contains("the device name 'h3busy0' is in use by another program", error.Message, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void OpeningANameOfAnotherTypeSaysSo()
    {
        RootEnvironment.Require();
        using var ns = NetNamespace.Create();
        using var first = ns.Invoke(() => LinuxTunDevice.Open("h3type0", DeviceType.Tun));
        var error = Assert.Throws<AnytunException>(() => ns.Invoke(() => LinuxTunDevice.Open("h3type0", DeviceType.Tap)));
        Assert.Equal(AnytunErrorCode.DeviceOpenFailed, error.Code);
        Assert.Contains("exists with another type", error.Message, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void ADeletedDeviceIsReportedAsDeleted()
    {
        RootEnvironment.Require();
        using var ns = NetNamespace.Create();
        using var device = ns.Invoke(() => LinuxTunDevice.Open("h3gone0", DeviceType.Tun));
        Exception? failure = null;
        var reader = new Thread(() =>
        {
            try
            {
                device.Read(new byte[2048]);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        })
        { IsBackground = true };
        reader.Start();
        Thread.Sleep(200);
        ns.Exec("ip", "link", "del", "h3gone0");
        Assert.True(reader.Join(TimeSpan.FromSeconds(5)), "the blocked reader did not return after the device was deleted");
        var io = Assert.IsType<IOException>(failure);
        Assert.Equal("device 'h3gone0' was deleted", io.Message);
    }

    [RequiresRootFact]
    public void DisposeWakesABlockedReader()
    {
        RootEnvironment.Require();
        using var ns = NetNamespace.Create();
        var device = ns.Invoke(() => LinuxTunDevice.Open(null, DeviceType.Tun));
        var result = -1;
        var reader = new Thread(() => result = device.Read(new byte[2048])) { IsBackground = true };
        reader.Start();
        Thread.Sleep(200);
        Assert.True(reader.IsAlive, "Read should block while no packet arrives");
        device.Dispose();
        TestDeadline.Join(reader, TimeSpan.FromSeconds(2), "Dispose to wake the blocked reader");
        Assert.Equal(0, result);
        Assert.False(device.TryWrite(new byte[20]));
    }

    [RequiresRootFact("ping")]
    public void PacketsFlowBetweenTheKernelAndTheDevice()
    {
        RootEnvironment.Require();
        using var ns = NetNamespace.Create();
        using var device = ns.Invoke(() =>
        {
            var opened = LinuxTunDevice.Open("h3tun0", DeviceType.Tun);
            Netlink.ConfigureInterface(opened.Name, IPAddress.Parse("10.200.6.1"), 24, Netlink.AnytunMtu, broadcast: false);
            return opened;
        });

        // A ping to another address of the prefix is routed into the device: read it without the PI header.
        var ping = Task.Run(() => ns.ExecStatus("ping", "-c", "1", "-W", "1", "10.200.6.2"));
        var buffer = new byte[2048];

        // Read has no timeout: on the deadline, disposing the device wakes it (Read returns 0).
        var length = TestDeadline.Run(
            () =>
            {
                int read;
                do
                {
                    // The kernel also sends IPv6 router solicitations / MLD reports into a fresh device: skip them.
                    read = device.Read(buffer);
                }
                while (read > 0 && buffer[0] >> 4 == 6);

                return read;
            },
            TestDeadline.Default,
            "the ping's IPv4 echo request to come out of h3tun0",
            device.Dispose);

        Assert.True(length >= 28, $"read {length} bytes");
        Assert.Equal(0x45, buffer[0]);
        Assert.Equal(new byte[] { 10, 200, 6, 2 }, buffer[16..20]);
        TestDeadline.Wait(ping, TestDeadline.Default, "ping -c 1 -W 1 10.200.6.2 to exit");
    }

    [Fact]
    public void NetlinkOnAMissingInterfaceFailsWithInterfaceConfigFailed()
    {
        var error = Assert.Throws<AnytunException>(
            () => Netlink.ConfigureInterface("h3-no-such", IPAddress.Parse("10.200.5.1"), 24, 1400, broadcast: false));
        Assert.Equal(AnytunErrorCode.InterfaceConfigFailed, error.Code);
        Assert.Equal("h3-no-such", error.Target);
    }

    [Fact]
    public void OverlongDeviceNameIsRejected()
    {
        var error = Assert.Throws<AnytunException>(() => LinuxTunDevice.Open("a-very-long-name-x", DeviceType.Tun));
        Assert.Equal(AnytunErrorCode.InvalidOption, error.Code);
    }
}
