using Anytun.Engine.Protocol;

namespace Anytun.Engine.Runtime;

/// <summary>
/// The packet path's side of drop logging: one per engine thread, it only counts (one atomic add, no allocation, no
/// lock). <see cref="DropLogReporter"/> turns the counts into log lines on a timer, off the packet path.
/// </summary>
internal sealed class DropLogLimiter
{
    private static readonly int ReasonCount = Enum.GetValues<DropReason>().Length;

    private readonly long[] _pending = new long[ReasonCount];

    public DropLogLimiter(string direction)
    {
        Direction = direction;
    }

    /// <summary>"send" or "receive": which way the dropped packets were going.</summary>
    public string Direction { get; }

    public void Record(DropReason reason) => Interlocked.Increment(ref _pending[(int)reason]);

    public void Record(DropReason reason, long count) => Interlocked.Add(ref _pending[(int)reason], count);

    /// <summary>Drops of <paramref name="reason"/> since the last call (reporter thread).</summary>
    public long TakePending(DropReason reason) => Interlocked.Exchange(ref _pending[(int)reason], 0);
}
