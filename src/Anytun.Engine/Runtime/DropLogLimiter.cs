using Anytun.Engine.Logging;
using Anytun.Engine.Protocol;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Runtime;

/// <summary>
/// Per-thread rate limit for drop log lines: the first drop of a reason is logged at once, later ones at most once per
/// 10 s with the count since the last line. Counters, not logs, are the per-packet record.
/// </summary>
internal sealed class DropLogLimiter
{
    private const long IntervalMilliseconds = 10_000;
    private static readonly string[] ReasonNames = Enum.GetNames<DropReason>();

    private readonly ILogger _logger;
    private readonly string _direction;
    private readonly long[] _pending = new long[ReasonNames.Length];
    private readonly long[] _lastLogged = new long[ReasonNames.Length];

    public DropLogLimiter(ILogger logger, string direction)
    {
        _logger = logger;
        _direction = direction;
        Array.Fill(_lastLogged, long.MinValue / 2);
    }

    public void Record(DropReason reason)
    {
        var index = (int)reason;
        _pending[index]++;
        var now = Environment.TickCount64;
        if (now - _lastLogged[index] < IntervalMilliseconds)
        {
            return;
        }

        var level = reason is DropReason.BadTag or DropReason.Replay or DropReason.DeviceError or DropReason.SendError
            ? LogLevel.Information
            : LogLevel.Debug;
        EngineLog.PacketsDropped(_logger, level, _direction, _pending[index], ReasonNames[index]);
        _pending[index] = 0;
        _lastLogged[index] = now;
    }
}
