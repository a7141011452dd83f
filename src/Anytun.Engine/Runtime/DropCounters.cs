using Anytun.Engine.Protocol;

namespace Anytun.Engine.Runtime;

/// <summary>Immutable snapshot of drop counts by <see cref="DropReason"/>.</summary>
public sealed class DropCounters
{
    private readonly long[] _counts;

    internal DropCounters(long[] counts)
    {
        _counts = counts;
    }

    /// <summary>Number of datagrams/packets dropped for <paramref name="reason"/>.</summary>
    public long this[DropReason reason]
    {
        get
        {
            var index = (int)reason;
            return (uint)index < (uint)_counts.Length ? _counts[index] : 0;
        }
    }

    /// <summary>Sum over every reason.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            foreach (var count in _counts)
            {
                total += count;
            }

            return total;
        }
    }

    public override string ToString()
    {
        var parts = new List<string>();
        for (var i = 1; i < _counts.Length; i++)
        {
            if (_counts[i] != 0)
            {
                parts.Add($"{(DropReason)i}={_counts[i]}");
            }
        }

        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
