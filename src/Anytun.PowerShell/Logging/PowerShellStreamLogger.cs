using System.Management.Automation;
using Microsoft.Extensions.Logging;

namespace Anytun;

/// <summary>
/// One category's logger: Trace/Debug/Information events become <see cref="AnytunLogRecord"/> objects on the output
/// stream, warnings go to the Warning stream and errors to the Error stream (each event in one place only).
/// Formats only when the level is enabled.
/// </summary>
internal sealed class PowerShellStreamLogger : ILogger
{
    /// <summary>Failures the module reports itself as ErrorRecords with their own ErrorId (start failure, engine fault).</summary>
    private static readonly HashSet<string> ReportedByTheModule = new(StringComparer.Ordinal) { "TunnelStartFailed", "TunnelFaulted" };

    private readonly ITunnelStreamWriter _writer;
    private readonly LogLevel _minimumLevel;
    private readonly string _tunnelName;
    private readonly string _category;
    private readonly string? _upHint;

    internal PowerShellStreamLogger(ITunnelStreamWriter writer, LogLevel minimumLevel, string tunnelName, string category, string? upHint)
    {
        _writer = writer;
        _minimumLevel = minimumLevel;
        _tunnelName = tunnelName;
        _category = ShortCategory(category);
        _upHint = upHint;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= _minimumLevel;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel) || (eventId.Name is { } name && ReportedByTheModule.Contains(name)))
        {
            return;
        }

        var message = formatter(state, exception);
        if (exception is not null && logLevel < LogLevel.Error)
        {
            message += ": " + exception.Message;
        }

        if (_upHint is not null && eventId.Name == "TunnelRunning")
        {
            message += _upHint;
        }

        switch (logLevel)
        {
            case LogLevel.Warning:
                _writer.WriteWarning($"{_tunnelName}: {message}");
                break;
            case LogLevel.Error:
            case LogLevel.Critical:
                var errorId = string.IsNullOrEmpty(eventId.Name) ? "AnytunEngineError" : eventId.Name;
                var record = new ErrorRecord(exception ?? new InvalidOperationException(message), errorId, ErrorCategory.NotSpecified, _tunnelName)
                {
                    ErrorDetails = new ErrorDetails($"{_tunnelName}: {message}"),
                };
                _writer.WriteError(record);
                break;
            default:
                _writer.WriteOutput(new AnytunLogRecord(
                    DateTime.Now, (AnytunLogLevel)(int)logLevel, _tunnelName, _category, eventId.Id, eventId.Name ?? string.Empty, message));
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
