using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Logging;

/// <summary>The logger every -L target hands out: checks the target's level, formats once, and passes the line on.</summary>
internal sealed class LogTargetLogger : ILogger
{
    private readonly int _targetLevel;
    private readonly Action<int, string> _write;

    public LogTargetLogger(int targetLevel, Action<int, string> write)
    {
        _targetLevel = targetLevel;
        _write = write;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => AnytunLogLevels.IsEnabled(logLevel, _targetLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        if (exception is not null)
        {
            message += ": " + exception.Message;
        }

        _write(AnytunLogLevels.PriorityOf(logLevel), message);
    }
}
