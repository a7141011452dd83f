using System.Globalization;
using Anytun.Engine.Connections;
using Anytun.Engine.Logging;
using Anytun.Engine.Protocol;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Runtime;

/// <summary>
/// Turns the drop counts of a tunnel's engine threads into log lines, on a timer thread (never the packet path):
/// the first drops of a reason within a second, then at most one line per reason and direction every 10 s with the
/// true count since the previous line, and whatever is still pending when the tunnel stops. Every drop is in exactly
/// one line. Each tick also lets <see cref="AuthenticationFailureWarnings"/> look at the bad-tag counters (every bad
/// tag is a drop, so it is counted here too). The timer sleeps while nothing is pending and the first drop after that
/// wakes it: an idle tunnel has no periodic wake-up (each woke a thread-pool worker that then spun for milliseconds,
/// which on two cores showed in the ping times).
/// </summary>
internal sealed class DropLogReporter : IThreadPoolWorkItem
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);
    private const long SummaryIntervalMilliseconds = 10_000;
    private static readonly DropReason[] Reasons = Enum.GetValues<DropReason>();

    private readonly ILogger _logger;
    private readonly AuthenticationFailureWarnings _authenticationWarnings;
    private readonly object _gate = new();
    private readonly List<DropLogLimiter> _limiters = new();
    private readonly Dictionary<(string Direction, DropReason Reason), Summary> _summaries = new();
    private Timer? _timer;
    private bool _stopped;
    private int _dormant;

    public DropLogReporter(ILogger logger, ConnectionTable connections, TrafficCounters tunnelCounters)
    {
        _logger = logger;
        _authenticationWarnings = new AuthenticationFailureWarnings(logger, connections, tunnelCounters);
    }

    /// <summary>A counter for one engine thread; create them before <see cref="Start"/>.</summary>
    public DropLogLimiter CreateLimiter(string direction)
    {
        var limiter = new DropLogLimiter(direction, this);
        lock (_gate)
        {
            _limiters.Add(limiter);
        }

        return limiter;
    }

    public void Start()
    {
        lock (_gate)
        {
            if (!_stopped && _timer is null)
            {
                _timer = new Timer(static state => ((DropLogReporter)state!).Tick(), this, TickInterval, TickInterval);
            }
        }
    }

    /// <summary>Stops the timer and writes every pending count; call after the engine threads have ended. Idempotent.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _timer?.Dispose();
            Report(Environment.TickCount64, final: true);
        }
    }

    /// <summary>True while the timer sleeps (nothing pending).</summary>
    internal bool IsDormant => Volatile.Read(ref _dormant) != 0;

    /// <summary>Packet path, after counting a drop: if the timer sleeps, have a pool thread restart it (no lock and
    /// no allocation here; only the first drop after a quiet spell gets past the volatile read).</summary>
    public void WakeIfDormant()
    {
        if (Volatile.Read(ref _dormant) != 0 && Interlocked.Exchange(ref _dormant, 0) != 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        lock (_gate)
        {
            if (!_stopped)
            {
                _timer?.Change(TickInterval, TickInterval);
            }
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            var waiting = Report(Environment.TickCount64, final: false);
            if (waiting)
            {
                return;
            }

            // Nothing pending: sleep. A drop counted from here on either is seen below or sees the flag and wakes us.
            Interlocked.Exchange(ref _dormant, 1);
            if (_limiters.Exists(static limiter => limiter.HasPending()))
            {
                Interlocked.Exchange(ref _dormant, 0);
                return;
            }

            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Logs what is due; true while something waits for a later tick (a summary or warning interval).</summary>
    private bool Report(long now, bool final)
    {
        foreach (var limiter in _limiters)
        {
            foreach (var reason in Reasons)
            {
                var count = limiter.TakePending(reason);
                if (count > 0)
                {
                    var key = (limiter.Direction, reason);
                    if (!_summaries.TryGetValue(key, out var summary))
                    {
                        summary = new Summary();
                        _summaries[key] = summary;
                    }

                    summary.Pending += count;
                }
            }
        }

        var waiting = false;
        foreach (var ((direction, reason), summary) in _summaries)
        {
            if (summary.Pending == 0)
            {
                continue;
            }

            if (!final && summary.LastLogged is { } last && now - last < SummaryIntervalMilliseconds)
            {
                waiting = true;
                continue;
            }

            var level = LevelOf(direction, reason);
            var packets = Plural(summary.Pending, "packet");
            var period = summary.LastLogged is { } previous
                ? string.Create(CultureInfo.InvariantCulture, $" in the last {Math.Max(1, (now - previous + 500) / 1000)} s")
                : string.Empty;
            EngineLog.PacketsDropped(_logger, level, direction, packets, reason.ToString(), period);

            summary.Pending = 0;
            summary.LastLogged = now;
        }

        return _authenticationWarnings.Check(now) | waiting;
    }

    /// <summary>"1 packet", "99,998 packets".</summary>
    internal static string Plural(long count, string noun) =>
        count.ToString("N0", CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : noun + "s");

    // What arrives from the network is worth knowing by default; packets the kernel sends into a tunnel without a peer
    // (router solicitations right after the device comes up) are not.
    private static LogLevel LevelOf(string direction, DropReason reason) =>
        direction == DropDirection.Receive || reason is DropReason.DeviceError or DropReason.SendError
            ? LogLevel.Information
            : LogLevel.Debug;

    private sealed class Summary
    {
        public long Pending;
        public long? LastLogged;
    }
}
