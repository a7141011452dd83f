using System.Runtime.CompilerServices;
using Anytun.Engine.Runtime;
namespace Anytun.Engine.Connections;

/// <summary>
/// The highest authenticated sequence number seen per sender id of one connection, kept whether or not a replay
/// window is configured. A datagram from a new source address may move the connection's remote only when its
/// sequence number is above that (serial-number arithmetic, so a wrap counts as "above"): a replay of captured
/// datagrams from another address therefore never hijacks the remote, even with <c>-w 0</c>.
/// The common case, one sender id, is a single 64-bit word updated with one compare-exchange; other sender ids
/// (anycast peers) go to a small locked map.
/// </summary>
internal sealed class RoamingGuard
{
    private const long Valid = 1L << 62;

    private readonly object _othersLock = new();
    private Dictionary<ushort, uint>? _others;

    // Valid | sender id << 32 | highest sequence; 0 = nothing seen yet.
    private long _first;

    /// <summary>Records <paramref name="sequence"/> of <paramref name="senderId"/>; true when it is above everything seen
    /// from that sender before (or the first from it).</summary>
    [MethodImpl(PacketPath.Hot)]
    public bool Observe(ushort senderId, uint sequence)
    {
        var current = Volatile.Read(ref _first);
        if (current == 0)
        {
            var claimed = Interlocked.CompareExchange(ref _first, Pack(senderId, sequence), 0);
            if (claimed == 0)
            {
                return true;
            }

            current = claimed;
        }

        if (SenderOf(current) == senderId)
        {
            if (!IsAbove(sequence, (uint)current))
            {
                return false;
            }

            // A lost race means another receiver thread raised it at the same moment; either value is recent.
            Interlocked.CompareExchange(ref _first, Pack(senderId, sequence), current);
            return true;
        }

        lock (_othersLock)
        {
            _others ??= new Dictionary<ushort, uint>();
            if (_others.TryGetValue(senderId, out var highest) && !IsAbove(sequence, highest))
            {
                return false;
            }

            _others[senderId] = sequence;
            return true;
        }
    }

    /// <summary>Forgets what was seen (the remote was set by hand, e.g. after the peer restarted).</summary>
    public void Reset()
    {
        Volatile.Write(ref _first, 0);
        lock (_othersLock)
        {
            _others = null;
        }
    }

    private static bool IsAbove(uint sequence, uint highest) => (int)(sequence - highest) > 0;

    private static long Pack(ushort senderId, uint sequence) => Valid | ((long)senderId << 32) | sequence;

    private static ushort SenderOf(long packed) => (ushort)(packed >> 32);
}
