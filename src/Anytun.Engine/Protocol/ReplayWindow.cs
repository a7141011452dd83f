using System.Runtime.CompilerServices;
using Anytun.Engine.Runtime;
namespace Anytun.Engine.Protocol;

/// <summary>
/// anytun's replay window (spec §6.2): one independent window of <see cref="Size"/> sequence numbers per sender id,
/// including its wrap guard. Size 0 disables replay protection. Feed it only authenticated datagrams.
/// Not thread-safe (a connection locks it); allocates Size/8 bytes when a sender id is seen for the first time.
/// </summary>
public sealed class ReplayWindow
{
    /// <summary>
    /// The largest window accepted (8 KiB of flags per sender id). anytun takes any uint32 and allocates the window on
    /// the first packet of each sender, up to 512 MiB for -w 4294967295; no reordering needs more than this.
    /// </summary>
    public const uint MaxSize = 65_536;

    private readonly Dictionary<ushort, ReplaySenderWindow> _senders = new();

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is above <see cref="MaxSize"/>.</exception>
    public ReplayWindow(uint size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);
        Size = size;
    }

    /// <summary>Window size N (anytun -w); 0 = off.</summary>
    public uint Size { get; }

    /// <summary>Number of sender ids with state.</summary>
    public int SenderCount => _senders.Count;

    /// <summary>Records <paramref name="sequence"/> of <paramref name="senderId"/>; false when it is a replay.</summary>
    [MethodImpl(PacketPath.Hot)]
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

    /// <summary>
    /// A window of another size that keeps every sender's highest sequence number (anytun keeps the per-sender state when
    /// a sync command changes the size): nothing at or below it is accepted again.
    /// </summary>
    public ReplayWindow Resized(uint size)
    {
        var resized = new ReplayWindow(size);
        if (size == 0)
        {
            return resized;
        }

        foreach (var (senderId, window) in _senders)
        {
            resized._senders.Add(senderId, new ReplaySenderWindow(size, window.Highest, everythingSeen: true));
        }

        return resized;
    }

    /// <summary>Forgets every sender (e.g. when the peer is known to have restarted).</summary>
    public void Clear() => _senders.Clear();
}
