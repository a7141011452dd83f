using Anytun.Engine.Configuration;
using Anytun.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Anytun;

/// <summary>
/// Microsoft.Extensions.Logging provider that turns engine log events into PowerShell output: log records for
/// Trace/Debug/Information, Warning records, ErrorRecords (see <see cref="PowerShellStreamLogger"/>).
/// </summary>
internal sealed class PowerShellStreamLoggerProvider : ILoggerProvider
{
    private readonly ITunnelStreamWriter _writer;
    private readonly LogLevel _minimumLevel;
    private readonly string _tunnelName;
    private readonly string? _upHint;

    internal PowerShellStreamLoggerProvider(ITunnelStreamWriter writer, LogLevel minimumLevel, string tunnelName, string? upHint = null)
    {
        _writer = writer;
        _minimumLevel = minimumLevel;
        _tunnelName = tunnelName;
        _upHint = upHint;
    }

    /// <summary>
    /// The factory of one tunnel: this provider at <paramref name="minimumLevel"/> plus a provider per -L target of
    /// <paramref name="options"/> (each at its own level). Disposing the factory closes the targets' files and sockets.
    /// <paramref name="upHint"/> is appended to the "tunnel is up" record (how to stop a foreground tunnel).
    /// </summary>
    /// <exception cref="Anytun.Engine.AnytunException">A log file cannot be opened.</exception>
    internal static ILoggerFactory CreateFactory(
        ITunnelStreamWriter writer, LogLevel minimumLevel, string tunnelName, TunnelOptions options, string? upHint = null)
    {
        var targets = LogTargetProviders.Create(options);
        var targetsMinimum = LogTargetProviders.MinimumLevel(options);
        var factory = new LoggerFactory(
            Array.Empty<ILoggerProvider>(),
            new LoggerFilterOptions { MinLevel = targetsMinimum < minimumLevel ? targetsMinimum : minimumLevel });

        // AddProvider (unlike the constructor) makes the factory dispose the provider.
        factory.AddProvider(new PowerShellStreamLoggerProvider(writer, minimumLevel, tunnelName, upHint));
        foreach (var target in targets)
        {
            factory.AddProvider(target);
        }

        return factory;
    }

    public ILogger CreateLogger(string categoryName) =>
        new PowerShellStreamLogger(_writer, _minimumLevel, _tunnelName, categoryName, _upHint);

    public void Dispose()
    {
        // The writer belongs to the job or cmdlet; nothing to release here.
    }
}
