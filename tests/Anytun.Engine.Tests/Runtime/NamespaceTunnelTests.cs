using Anytun.Engine.Configuration;
using Anytun.Engine.Runtime;
using Microsoft.Extensions.Logging;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>
/// Two complete tunnels (real tun devices, -n via rtnetlink, UDP over a veth) in two private network namespaces;
/// the kernel's ping goes through them.
/// </summary>
[Trait("Category", "RequiresRoot")]
public sealed class NamespaceTunnelTests
{
    [RequiresRootFact("ping")]
    public async Task PingCrossesTwoTunnelsInTwoNamespaces()
    {
        RootEnvironment.Require();
        using var nsA = NetNamespace.Create();
        using var nsB = NetNamespace.Create();
        nsA.Exec("ip", "link", "add", "h3va", "type", "veth", "peer", "name", "h3vb", "netns", nsB.Name);
        nsA.Exec("ip", "addr", "add", "10.200.10.1/24", "dev", "h3va");
        nsA.Exec("ip", "link", "set", "h3va", "up");
        nsB.Exec("ip", "addr", "add", "10.200.10.2/24", "dev", "h3vb");
        nsB.Exec("ip", "link", "set", "h3vb", "up");

        var marker = Path.Combine(Path.GetTempPath(), $"h3-postup-{Guid.NewGuid():N}");
        var script = marker + ".sh";
        await File.WriteAllTextAsync(script, $"#!/bin/sh\necho \"$# $1 $2 $(env | wc -l)\" > {marker}\n");
        NetNamespace.Run("chmod", "700", script);
        try
        {
            var logs = new CapturingLoggerProvider();
            await using var a = StartIn(nsA, $"-i 10.200.10.1 -r 10.200.10.2 -n 10.200.11.1/24 -e left -d h3tun -x {script}", logs);
            await using var b = StartIn(nsB, "-i 10.200.10.2 -n 10.200.11.2/24 -e right");
            Assert.Equal("h3tun", a.DeviceName);
            Assert.StartsWith("tun", b.DeviceName);
            Assert.Contains("mtu 1400", nsA.Exec("ip", "link", "show", "h3tun"));

            Assert.Equal(0, nsA.ExecStatus("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.200.11.2"));
            Assert.Equal(0, nsB.ExecStatus("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.200.11.1"));

            var fromA = SingleConnection(a);
            Assert.True(fromA.PacketsOut >= 6, $"A sent {fromA.PacketsOut}");
            Assert.True(fromA.PacketsIn >= 6, $"A received {fromA.PacketsIn}");
            Assert.Equal(0, fromA.DropsBadTag);
            Assert.Equal("10.200.10.1", SingleConnection(b).RemoteEndPoint!.Address.ToString());

            await WaitUntilAsync(() => File.Exists(marker) && File.ReadAllText(marker).EndsWith('\n'), "the post-up script");
            Assert.Equal("2 h3tun /dev/net/tun 1", File.ReadAllText(marker).Trim());
            await WaitUntilAsync(
                () => logs.Lines.Any(line => line.Message == $"script '{script}' returned 0"),
                "the post-up exit status in the log");
        }
        finally
        {
            File.Delete(script);
            File.Delete(marker);
        }
    }

    [RequiresRootFact]
    public async Task WithoutIfConfigTheDeviceStaysDown()
    {
        RootEnvironment.Require();
        using var ns = NetNamespace.Create();
        await using var tunnel = StartIn(ns, "-i 127.0.0.1 -p 0 -d h3down");
        var link = ns.Exec("ip", "link", "show", "h3down");
        Assert.DoesNotContain(",UP", link);
        Assert.DoesNotContain("mtu 1400", link);
    }

    private static Tunnel StartIn(NetNamespace ns, string arguments, ILoggerFactory? loggers = null) => ns.Invoke(() =>
    {
        using var options = AnytunCommandLine.ParseCommandLine($"{arguments} -K {Key} -A {Salt}");
        var tunnel = Tunnel.Create(options, loggers);
        tunnel.StartAsync().GetAwaiter().GetResult();
        return tunnel;
    });
}
