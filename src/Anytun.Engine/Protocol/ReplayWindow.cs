namespace Anytun.Engine.Protocol;

/// <summary>
/// anytun's replay window (spec §6.2): one independent window of <see cref="Size"/> sequence numbers per sender id,
/// including its wrap guard. Size 0 disables replay protection. Feed it only authenticated datagrams.
/// Single thread (one per connection); allocates only when a sender id is seen for the first time.
/// </summary>
public sealed class ReplayWindow
{
    private readonly Dictionary<ushort, ReplaySenderWindow> _senders = new();

    public ReplayWindow(uint size)
    {
        Size = size;
    }

    /// <summary>Window size N (anytun -w); 0 = off.</summary>
    public uint Size { get; }

    /// <summary>Number of sender ids with state.</summary>
    public int SenderCount => _senders.Count;

    /// <summary>Records <paramref name="sequence"/> of <paramref name="senderId"/>; false when it is a replay.</summary>
    public bool TryAccept(ushort senderId, uint sequence)
    {
        if (Size == 0)
        {
            return true;
        }

        if (_senders.TryGetValue(senderId, out var window))
        {
            return window.TryAccept(sequence);
        }

        _senders.Add(senderId, new ReplaySenderWindow(Size, sequence));
        return true;
    }

    /// <summary>Forgets every sender (e.g. when the peer is known to have restarted).</summary>
    public void Clear() => _senders.Clear();
}
