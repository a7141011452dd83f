using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Logging;

/// <summary>
/// anytun's log priorities (the numbers of -L target:level): 1 error, 2 warning, 3 notice, 4 info, 5 debug; 0 turns a
/// target off and larger numbers act like 5. Engine events map as Error/Critical → 1, Warning → 2, Information → 3
/// (anytun logs the same kind of event - device opened, remote learned - as notice), Debug → 5; Trace (per-packet)
/// never reaches a log target.
/// </summary>
internal static class AnytunLogLevels
{
    public const int Off = 0;
    public const int Debug = 5;

    /// <summary>anytun's priority of an engine event; <see cref="int.MaxValue"/> for what no target shows.</summary>
    public static int PriorityOf(LogLevel level) => level switch
    {
        LogLevel.Critical or LogLevel.Error => 1,
        LogLevel.Warning => 2,
        LogLevel.Information => 3,
        LogLevel.Debug => 5,
        _ => int.MaxValue,
    };

    /// <summary>anytun's name of a priority, as it prints it ("NOTICE").</summary>
    public static string NameOf(int priority) => priority switch
    {
        1 => "ERROR",
        2 => "WARNING",
        3 => "NOTICE",
        4 => "INFO",
        _ => "DEBUG",
    };

    /// <summary>The lowest engine level a target of anytun level <paramref name="targetLevel"/> shows.</summary>
    public static LogLevel MinimumLevel(int targetLevel) => targetLevel switch
    {
        <= Off => LogLevel.None,
        1 => LogLevel.Error,
        2 => LogLevel.Warning,
        3 or 4 => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    public static bool IsEnabled(LogLevel level, int targetLevel) =>
        level != LogLevel.None && PriorityOf(level) <= Math.Min(targetLevel, Debug);
}
