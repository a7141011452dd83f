using System.Runtime.CompilerServices;

namespace Anytun.Engine.Runtime;

/// <summary>
/// Whether the carrier, right after writing received packets to the device, reads the device at once for an answer
/// the kernel queued during that write (at the end that answers a ping the echo reply is there every time). At the
/// end whose writes are themselves the answers nothing is there, and the read that says so (EAGAIN) is a system call
/// between the write that wakes the application and this thread's sleep — on two vCPUs the woken application runs on
/// this thread's CPU and waits for exactly that. So after <see cref="MissesBeforeSkipping"/> empty reads in a row the
/// read is skipped, except every <see cref="ProbeInterval"/>-th time, which notices within a few packets when answers
/// start coming again. A skipped answer is not lost: the carrier's wait sees the device readable and carries it.
/// One carrier thread owns it.
/// </summary>
internal sealed class AnswerPrediction
{
    /// <summary>Empty reads in a row after which the carrier stops reading for an answer.</summary>
    public const int MissesBeforeSkipping = 4;

    /// <summary>While skipping, one write in this many still reads for an answer.</summary>
    public const int ProbeInterval = 8;

    private int _misses;
    private int _skipped;

    /// <summary>True when the carrier should read the device now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ExpectsAnswer()
    {
        if (_misses < MissesBeforeSkipping)
        {
            return true;
        }

        if (++_skipped < ProbeInterval)
        {
            return false;
        }

        _skipped = 0;
        return true;
    }

    /// <summary>What the read found: an answer (resets the count) or nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(bool answered) => _misses = answered ? 0 : Math.Min(_misses + 1, MissesBeforeSkipping);
}
