using Anytun.Engine.Protocol;

namespace Anytun.Engine.Runtime;

/// <summary>
/// One SATP connection (one mux): remote endpoint, send sequence, replay window, counters.
/// The sequence counter belongs to the sender thread; the replay window is shared by the receiver threads.
/// </summary>
internal sealed class Connection
{
    private readonly ReplayWindow? _window;
    private readonly long _createdTicks = Environment.TickCount64;
    private readonly DateTime _createdUtc = DateTime.UtcNow;
    private RemoteEndpoint _remote;
    private uint _nextSequence;
    private long _lastReceivedTicks = long.MinValue;

    public Connection(ushort mux, RemoteEndpoint remote, uint windowSize)
    {
        Mux = mux;
        _remote = remote;
        _window = windowSize == 0 ? null : new ReplayWindow(windowSize);
    }

    public ushort Mux { get; }

    public TrafficCounters Counters { get; } = new();

    public RemoteEndpoint Remote => Volatile.Read(ref _remote);

    public uint NextSequence => Volatile.Read(ref _nextSequence);

    /// <summary>True once an authenticated datagram passed the replay check.</summary>
    public bool IsEstablished => Volatile.Read(ref _lastReceivedTicks) != long.MinValue;

    /// <summary>Roaming: replaces the remote (the object is immutable, so readers never see half an address).</summary>
    public void UpdateRemote(RemoteEndpoint remote) => Volatile.Write(ref _remote, remote);

    /// <summary>The sequence number for the next datagram (sender thread only; wraps like anytun's uint32).</summary>
    public uint TakeNextSequence()
    {
        var sequence = _nextSequence;
        Volatile.Write(ref _nextSequence, unchecked(sequence + 1));
        return sequence;
    }

    /// <summary>Replay check (spec §6.2); false = replay. Locks only when a window is configured (-w &gt; 0).</summary>
    public bool TryAcceptSequence(ushort senderId, uint sequence)
    {
        var window = _window;
        if (window is null)
        {
            return true;
        }

        lock (window)
        {
            return window.TryAccept(senderId, sequence);
        }
    }

    public void MarkReceived() => Volatile.Write(ref _lastReceivedTicks, Environment.TickCount64);

    public ConnectionSnapshot Snapshot(bool running)
    {
        var lastTicks = Volatile.Read(ref _lastReceivedTicks);
        DateTime? lastReceived = lastTicks == long.MinValue
            ? null
            : _createdUtc + TimeSpan.FromMilliseconds(lastTicks - _createdTicks);
        var state = !running ? ConnectionState.Closed : lastReceived is null ? ConnectionState.Waiting : ConnectionState.Established;
        return new ConnectionSnapshot(
            Mux,
            Remote.EndPoint,
            state,
            Counters.PacketsIn,
            Counters.BytesIn,
            Counters.PacketsOut,
            Counters.BytesOut,
            Counters.SnapshotDrops(),
            lastReceived,
            NextSequence);
    }
}
