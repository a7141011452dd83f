using System.Management.Automation;
using Microsoft.Extensions.Logging;

namespace Anytun;

/// <summary>One category's logger; formats only when the level is enabled.</summary>
internal sealed class PowerShellStreamLogger : ILogger
{
    private readonly ITunnelStreamWriter _writer;
    private readonly LogLevel _minimumLevel;
    private readonly string _tunnelName;
    private readonly string _category;

    internal PowerShellStreamLogger(ITunnelStreamWriter writer, LogLevel minimumLevel, string tunnelName, string category)
    {
        _writer = writer;
        _minimumLevel = minimumLevel;
        _tunnelName = tunnelName;
        _category = ShortCategory(category);
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= _minimumLevel;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = $"[{_tunnelName}] {_category}: {formatter(state, exception)}";
        switch (logLevel)
        {
            case LogLevel.Trace:
            case LogLevel.Debug:
                _writer.WriteDebug(message);
                break;
            case LogLevel.Information:
                _writer.WriteVerbose(message);
                break;
            case LogLevel.Warning:
                _writer.WriteWarning(message);
                break;
            default:
                var errorId = string.IsNullOrEmpty(eventId.Name) ? "AnytunEngineError" : eventId.Name;
                var error = exception ?? new InvalidOperationException(message);
                var record = new ErrorRecord(error, errorId, ErrorCategory.NotSpecified, _tunnelName);
                if (exception is not null)
                {
                    record.ErrorDetails = new ErrorDetails(message);
                }

                _writer.WriteError(record);
                break;
        }
    }

    // "Anytun.Engine.Runtime.Tunnel" → "Tunnel": full namespaces only make the lines long.
    private static string ShortCategory(string category)
    {
        var dot = category.LastIndexOf('.');
        return dot >= 0 ? category.Substring(dot + 1) : category;
    }
}
