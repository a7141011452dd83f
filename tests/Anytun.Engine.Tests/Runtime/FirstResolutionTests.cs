using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Anytun.Engine.Runtime;
using Microsoft.Extensions.Logging;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>A -r host name that does not resolve is reported at once (the tunnel keeps retrying).</summary>
public sealed class FirstResolutionTests
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AnUnresolvableRemoteIsReportedOnceWithAWarning()
    {
        var logs = new CapturingLoggerProvider();
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -r no.such.host.invalid -K {Key} -A {Salt}");
        await using var tunnel = Tunnel.Create(options, logs, new ChannelPacketDevice());
        await tunnel.StartAsync();
        var failure = await tunnel.FirstResolution.WaitAsync(ResolveTimeout);

        Assert.NotNull(failure);
        Assert.Equal(TunnelState.Running, tunnel.State);
        var warning = Assert.Single(logs.Lines, line => line.EventName == "ResolveFailed");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.StartsWith("could not resolve 'no.such.host.invalid' (", warning.Message, StringComparison.Ordinal);
        Assert.EndsWith("); the tunnel keeps retrying every 10 s", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-r 127.0.0.1")]
    [InlineData("-r localhost")]
    [InlineData("")]
    public async Task AResolvableOrAbsentRemoteCompletesWithoutFailure(string remote)
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 {remote} -K {Key} -A {Salt}");
        await using var tunnel = Tunnel.Create(options, device: new ChannelPacketDevice());
        await tunnel.StartAsync();
        Assert.Null(await tunnel.FirstResolution.WaitAsync(ResolveTimeout));
    }

    [Fact]
    public async Task StoppingCompletesAPendingResolution()
    {
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -K {Key} -A {Salt}");
        var tunnel = Tunnel.Create(options, device: new ChannelPacketDevice());
        await tunnel.StopAsync();
        Assert.Null(await tunnel.FirstResolution.WaitAsync(ResolveTimeout));
    }
}
