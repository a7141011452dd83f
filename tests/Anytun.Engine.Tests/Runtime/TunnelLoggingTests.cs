using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Anytun.Engine.Runtime;
using Microsoft.Extensions.Logging;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

public sealed class TunnelLoggingTests
{
    [Fact]
    public async Task LogsNeverContainKeyOrSaltAndDropLinesAreRateLimited()
    {
        var logs = new CapturingLoggerProvider();
        var portA = FreeUdpPort();
        var portB = FreeUdpPort();
        using var optionsB = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p {portB} -r 127.0.0.1 -o {portA} -e right -K {Key} -A {Salt}");
        var deviceB = new ChannelPacketDevice();
        await using var b = Tunnel.Create(optionsB, logs, deviceB);
        await b.StartAsync();
        using var optionsA = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {portB} -e left -K {OtherKey} -A {Salt}");
        var deviceA = new ChannelPacketDevice();
        await using var a = Tunnel.Create(optionsA, logs, deviceA);
        await a.StartAsync();

        for (var i = 0; i < 50; i++)
        {
            deviceA.Inject(Ipv4Packet());
        }

        await WaitUntilAsync(() => SingleConnection(b).DropsBadTag == 50, "50 BadTag drops");
        await a.StopAsync();
        await b.StopAsync();

        var all = string.Join("\n", logs.Lines.Select(line => line.Message));
        Assert.Contains("opening socket: 127.0.0.1:", all);
        Assert.Contains("stopped", all);
        foreach (var secret in new[] { Key, OtherKey, Salt })
        {
            Assert.DoesNotContain(secret, all, StringComparison.OrdinalIgnoreCase);
        }

        var dropLines = logs.Lines.Count(line => line.EventName == "PacketsDropped");
        Assert.InRange(dropLines, 1, 2);
        Assert.Contains(logs.Lines, line => line.EventName == "PacketsDropped" && line.Message.Contains("BadTag", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartFailureIsLogged()
    {
        var logs = new CapturingLoggerProvider();
        await using var first = await StartAsync("-i 127.0.0.1 -p 0");
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p {first.Port} -K {Key} -A {Salt}");
        var tunnel = Tunnel.Create(options, logs, new ChannelPacketDevice());
        await Assert.ThrowsAsync<AnytunException>(() => tunnel.StartAsync());
        Assert.Contains(logs.Lines, line => line.Level == LogLevel.Error && line.EventName == "TunnelStartFailed");
    }
}
