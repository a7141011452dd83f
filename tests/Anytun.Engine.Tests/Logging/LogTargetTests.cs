using System.Net.Sockets;
using System.Text;
using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Anytun.Engine.Logging;
using Anytun.Engine.Runtime;
using Microsoft.Extensions.Logging;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Logging;

/// <summary>-L stdout/stderr/file/syslog targets write anytun-like lines at anytun's levels.</summary>
public sealed class LogTargetTests : IDisposable
{
    private static readonly DateTime Time = new(2026, 11, 4, 17, 45, 23);
    private readonly string _directory = Directory.CreateTempSubdirectory("anytun-logtarget-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TextLinesLookLikeAnytuns()
    {
        Assert.Equal("2026-Nov-04 17:45:23 NOTICE: dev opened", TextLogTargetProvider.FormatLine(Time, 3, "dev opened"));
        Assert.Equal("2026-Nov-04 17:45:23 ERROR: x", TextLogTargetProvider.FormatLine(Time, 1, "x"));
        Assert.Equal("2026-Nov-04 17:45:23 WARNING: x", TextLogTargetProvider.FormatLine(Time, 2, "x"));
        Assert.Equal("2026-Nov-04 17:45:23 DEBUG: x", TextLogTargetProvider.FormatLine(Time, 5, "x"));
    }

    [Theory]
    [InlineData(0, "")]
    [InlineData(1, "E")]
    [InlineData(2, "EW")]
    [InlineData(3, "EWI")]
    [InlineData(4, "EWI")]
    [InlineData(5, "EWID")]
    [InlineData(9, "EWID")]
    public void ATargetShowsWhatItsLevelAsksFor(int level, string expected)
    {
        var writer = new StringWriter();
        using var provider = new TextLogTargetProvider(writer, ownsWriter: false, level, () => Time);
        var logger = provider.CreateLogger("any");
        logger.LogError("E");
        logger.LogWarning("W");
        logger.LogInformation("I");
        logger.LogDebug("D");
        logger.LogTrace("T");
        var shown = string.Concat(writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd()[^1]));
        Assert.Equal(expected, shown);
    }

    [Fact]
    public void TheFileTargetAppends()
    {
        var path = Path.Combine(_directory, "anytun.log");
        File.WriteAllText(path, "earlier line\n");
        using (var provider = TextLogTargetProvider.Create(LogTarget.Parse($"file:3,{path}")))
        {
            provider.CreateLogger("any").LogInformation("tunnel up");
            provider.CreateLogger("any").LogDebug("not at level 3");
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.Equal("earlier line", lines[0]);
        Assert.EndsWith(" NOTICE: tunnel up", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatCannotBeOpenedIsAnInvalidOption()
    {
        var path = Path.Combine(_directory, "no-such-directory", "anytun.log");
        var error = Assert.Throws<AnytunException>(() => TextLogTargetProvider.Create(LogTarget.Parse($"file:3,{path}")));
        Assert.Equal(AnytunErrorCode.InvalidOption, error.Code);
        Assert.Equal(OptionNames.Log, error.Target);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("syslog:5", 3, 4, "anytun")]
    [InlineData("syslog:5,vpn1", 3, 4, "vpn1")]
    [InlineData("syslog:5,vpn1,local3", 19, 4, "vpn1")]
    [InlineData("syslog:5,vpn1,user", 1, 4, "vpn1")]
    public void SyslogSendsRfc3164DatagramsToTheSocket(string target, int facility, int severity, string ident)
    {
        var path = Path.Combine(_directory, "log.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.ReceiveTimeout = 5000;
        using (var provider = new SyslogLogTargetProvider(LogTarget.Parse(target), path, () => Time))
        {
            provider.CreateLogger("any").LogWarning("wrong passphrase?");
        }

        var buffer = new byte[2048];
        var length = listener.Receive(buffer);
        var datagram = Encoding.UTF8.GetString(buffer, 0, length);
        Assert.Equal($"<{(facility * 8) + severity}>Nov  4 17:45:23 {ident}[{Environment.ProcessId}]: wrong passphrase?", datagram);
    }

    [Fact]
    public void SyslogWithoutADaemonDropsTheLineQuietly()
    {
        using var provider = new SyslogLogTargetProvider(LogTarget.Parse("syslog:5"), Path.Combine(_directory, "nobody-listens"));
        provider.CreateLogger("any").LogError("lost");
    }

    [Fact]
    public void DebugAddsStdoutAtLevelFive()
    {
        using var options = AnytunCommandLine.ParseCommandLine("-U -L stdout:2 -L stderr:1 -c null -a null");
        var targets = LogTargetProviders.EffectiveTargets(options);
        Assert.Equal(new[] { "stderr:1", "stdout:5" }, targets.Select(t => t.ToString()).ToArray());
        Assert.Equal(LogLevel.Debug, LogTargetProviders.MinimumLevel(options));
    }

    [Fact]
    public void NoTargetsMeansNoProviders()
    {
        using var options = AnytunCommandLine.ParseCommandLine("-c null -a null");
        Assert.Empty(LogTargetProviders.Create(options));
        Assert.Equal(LogLevel.None, LogTargetProviders.MinimumLevel(options));
    }

    [Fact]
    public async Task ATunnelWritesItsLogToAFileTargetWithoutSecrets()
    {
        var path = Path.Combine(_directory, "tunnel.log");
        using var options = AnytunCommandLine.ParseCommandLine($"-i 127.0.0.1 -p 0 -r 127.0.0.1 -o {FreeUdpPort()} -K {Key} -A {Salt} -L file:5,{path}");
        using (var loggers = new SingleProviderFactory(Assert.Single(LogTargetProviders.Create(options))))
        {
            await using var tunnel = Tunnel.Create(options, loggers, new ChannelPacketDevice());
            await tunnel.StartAsync();
            await tunnel.StopAsync();
        }

        var text = File.ReadAllText(path);
        Assert.Contains(" NOTICE: opening socket: 127.0.0.1:", text, StringComparison.Ordinal);
        Assert.Contains(" NOTICE: tunnel 'fake0' stopped", text, StringComparison.Ordinal);
        Assert.Contains(" DEBUG: ", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Salt, text, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The engine takes a factory; this one hands out the loggers of one provider and disposes it.</summary>
    private sealed class SingleProviderFactory : ILoggerFactory
    {
        private readonly ILoggerProvider _provider;

        public SingleProviderFactory(ILoggerProvider provider)
        {
            _provider = provider;
        }

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public ILogger CreateLogger(string categoryName) => _provider.CreateLogger(categoryName);

        public void Dispose() => _provider.Dispose();
    }
}
