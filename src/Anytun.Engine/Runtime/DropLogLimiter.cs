using Anytun.Engine.Protocol;

namespace Anytun.Engine.Runtime;

/// <summary>
/// The packet path's side of drop logging: one per engine thread, it only counts (one atomic add, no allocation, no
/// lock). <see cref="DropLogReporter"/> turns the counts into log lines on a timer, off the packet path; a count made
/// while that timer sleeps (nothing was pending) wakes it.
/// </summary>
internal sealed class DropLogLimiter
{
    private static readonly int ReasonCount = Enum.GetValues<DropReason>().Length;

    private readonly long[] _pending = new long[ReasonCount];
    private readonly DropLogReporter _reporter;

    public DropLogLimiter(string direction, DropLogReporter reporter)
    {
        Direction = direction;
        _reporter = reporter;
    }

    /// <summary>"send" or "receive": which way the dropped packets were going.</summary>
    public string Direction { get; }

    public void Record(DropReason reason)
    {
        Interlocked.Increment(ref _pending[(int)reason]);
        _reporter.WakeIfDormant();
    }

    public void Record(DropReason reason, long count)
    {
        Interlocked.Add(ref _pending[(int)reason], count);
        _reporter.WakeIfDormant();
    }

    /// <summary>Drops of <paramref name="reason"/> since the last call (reporter thread).</summary>
    public long TakePending(DropReason reason) => Interlocked.Exchange(ref _pending[(int)reason], 0);

    /// <summary>Whether any drop waits to be taken (reporter thread).</summary>
    public bool HasPending()
    {
        for (var i = 0; i < _pending.Length; i++)
        {
            if (Interlocked.Read(ref _pending[i]) != 0)
            {
                return true;
            }
        }

        return false;
    }
}
