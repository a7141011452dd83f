using Anytun.Engine.Connections;
using Anytun.Engine.Logging;
using Anytun.Engine.Protocol;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Runtime;

/// <summary>
/// A wrong passphrase, key or role on the peer shows only as bad tags. This warns once when a connection (or, while no
/// peer is learned, the tunnel) starts seeing them, and again at most once a minute while they go on, saying what it
/// likely means. Runs on the <see cref="DropLogReporter"/> timer, never on the packet path.
/// </summary>
internal sealed class AuthenticationFailureWarnings
{
    private const long IntervalMilliseconds = 60_000;

    private readonly ILogger _logger;
    private readonly ConnectionTable _connections;
    private readonly TrafficCounters _tunnelCounters;
    // Weak keys: a removed connection takes its warning state with it.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Connection, Seen> _byConnection = new();
    private readonly Seen _tunnel = new();

    public AuthenticationFailureWarnings(ILogger logger, ConnectionTable connections, TrafficCounters tunnelCounters)
    {
        _logger = logger;
        _connections = connections;
        _tunnelCounters = tunnelCounters;
    }

    /// <summary>Warns where due; true while bad tags wait for their interval (the caller keeps checking).</summary>
    public bool Check(long now)
    {
        var waiting = false;
        foreach (var connection in _connections.All)
        {
            var seen = _byConnection.GetOrCreateValue(connection);

            if (seen.IsDue(connection.Counters.Drops(DropReason.BadTag), now, out var count))
            {
                EngineLog.ConnectionAuthenticationFailing(_logger, connection.Mux, connection.Remote?.Text ?? "remote not known yet", DropLogReporter.Plural(count, "datagram"));
            }
            else
            {
                waiting |= count > 0;
            }
        }

        if (_tunnel.IsDue(_tunnelCounters.Drops(DropReason.BadTag), now, out var unlearned))
        {
            EngineLog.TunnelAuthenticationFailing(_logger, DropLogReporter.Plural(unlearned, "datagram"));
        }
        else
        {
            waiting |= unlearned > 0;
        }

        return waiting;
    }

    private sealed class Seen
    {
        private long _warnedCount;
        private long? _warnedAt;

        /// <summary>True (with the count since the last warning) when <paramref name="total"/> grew and a warning is due.</summary>
        public bool IsDue(long total, long now, out long count)
        {
            count = total - _warnedCount;
            if (count <= 0 || (_warnedAt is { } last && now - last < IntervalMilliseconds))
            {
                return false;
            }

            _warnedCount = total;
            _warnedAt = now;
            return true;
        }
    }
}
