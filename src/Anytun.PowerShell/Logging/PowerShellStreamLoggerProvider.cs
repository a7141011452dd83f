using Microsoft.Extensions.Logging;

namespace Anytun;

/// <summary>
/// Microsoft.Extensions.Logging provider that turns engine log events into PowerShell stream records:
/// Trace/Debug → Debug, Information → Verbose, Warning → Warning, Error/Critical → Error.
/// </summary>
internal sealed class PowerShellStreamLoggerProvider : ILoggerProvider
{
    private readonly ITunnelStreamWriter _writer;
    private readonly LogLevel _minimumLevel;
    private readonly string _tunnelName;

    internal PowerShellStreamLoggerProvider(ITunnelStreamWriter writer, LogLevel minimumLevel, string tunnelName)
    {
        _writer = writer;
        _minimumLevel = minimumLevel;
        _tunnelName = tunnelName;
    }

    /// <summary>A factory with only this provider, filtered at <paramref name="minimumLevel"/>.</summary>
    internal static ILoggerFactory CreateFactory(ITunnelStreamWriter writer, LogLevel minimumLevel, string tunnelName) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(minimumLevel)
            .AddProvider(new PowerShellStreamLoggerProvider(writer, minimumLevel, tunnelName)));

    public ILogger CreateLogger(string categoryName) =>
        new PowerShellStreamLogger(_writer, _minimumLevel, _tunnelName, categoryName);

    public void Dispose()
    {
        // The writer belongs to the job or cmdlet; nothing to release here.
    }
}
