using System.Runtime.CompilerServices;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Protocol;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Connections;

/// <summary>
/// One SATP connection (one mux): its keys, remote endpoint, send sequence, replay window, roaming guard and counters.
/// Read by every engine thread without a lock: the keys, the remote and the window are immutable objects swapped by
/// reference (only by the control surface, or a receiver learning/roaming), the send sequence is taken with an
/// interlocked increment (several threads may send), and the replay window is locked only when configured (-w &gt; 0).
/// </summary>
internal sealed class Connection
{
    private readonly long _createdTicks = Environment.TickCount64;
    private ConnectionKeys _keys;
    private RemoteEndpoint? _remote;
    private ReplayWindow? _window;
    private uint _nextSequence;
    private long _lastReceivedTicks = long.MinValue;
    private int _routingLoopWarned;
    private long _refusedRoams;

    /// <param name="mux">The connection's id on the wire.</param>
    /// <param name="keys">Key material; the connection owns it from now on (the control surface retires it).</param>
    /// <param name="remote">Where to send; null = unknown until the first authenticated datagram.</param>
    /// <param name="windowSize">Replay window (0 = off).</param>
    /// <param name="origin">Who created it.</param>
    /// <param name="remoteHost">The host name or address the remote was configured with, if any (shown, compared by Apply).</param>
    public Connection(ushort mux, ConnectionKeys keys, RemoteEndpoint? remote, uint windowSize, EntryOrigin origin, RemoteHost? remoteHost = null)
    {
        Mux = mux;
        _keys = keys;
        _remote = remote;
        _window = windowSize == 0 ? null : new ReplayWindow(windowSize);
        Origin = origin;
        ConfiguredRemote = remoteHost;
    }

    public ushort Mux { get; }

    public EntryOrigin Origin { get; }

    /// <summary>UTC time the connection was created.</summary>
    public DateTime CreatedUtc { get; } = DateTime.UtcNow;

    public TrafficCounters Counters { get; } = new();

    /// <summary>Highest sequence seen per sender id (decides whether a new source address may take over the remote).</summary>
    public RoamingGuard Roaming { get; } = new();

    /// <summary>The current key material. Read once per packet and use that object for the whole packet.</summary>
    public ConnectionKeys Keys => Volatile.Read(ref _keys);

    /// <summary>Where datagrams go; null while unknown.</summary>
    public RemoteEndpoint? Remote => Volatile.Read(ref _remote);

    /// <summary>The configured remote (host name or literal and port), null when it is only learned.</summary>
    public RemoteHost? ConfiguredRemote { get; private set; }

    public uint WindowSize => Volatile.Read(ref _window)?.Size ?? 0;

    public uint NextSequence => Volatile.Read(ref _nextSequence);

    /// <summary>True once an authenticated datagram passed the replay check.</summary>
    public bool IsEstablished => Volatile.Read(ref _lastReceivedTicks) != long.MinValue;

    /// <summary>Re-key: publishes <paramref name="keys"/> and returns the old keys (the caller retires them).</summary>
    public ConnectionKeys SwapKeys(ConnectionKeys keys) => Interlocked.Exchange(ref _keys, keys);

    /// <summary>Replaces the remote (the object is immutable, so readers never see half an address).</summary>
    public void SetRemote(RemoteEndpoint? remote) => Volatile.Write(ref _remote, remote);

    /// <summary>Sets what the remote was configured with (control surface only).</summary>
    public void SetConfiguredRemote(RemoteHost? remote) => ConfiguredRemote = remote;

    /// <summary>Changes the replay window size, keeping each sender's highest sequence number (spec §1.5 step 3).</summary>
    public void SetWindowSize(uint size)
    {
        var current = Volatile.Read(ref _window);
        if ((current?.Size ?? 0) == size)
        {
            return;
        }

        ReplayWindow? next;
        if (current is null)
        {
            next = size == 0 ? null : new ReplayWindow(size);
        }
        else
        {
            lock (current)
            {
                next = size == 0 ? null : current.Resized(size);
            }
        }

        Volatile.Write(ref _window, next);
    }

    /// <summary>The sequence number for the next datagram; atomic, so any thread may send (wraps like anytun's uint32).</summary>
    public uint TakeNextSequence() => Interlocked.Increment(ref _nextSequence) - 1;

    /// <summary>Overwrites the send counter (a sync peer's snapshot, spec §1.5 step 4).</summary>
    public void SetNextSequence(uint sequence) => Interlocked.Exchange(ref _nextSequence, sequence);

    /// <summary>Replay check (spec §6.2); false = replay. Locks only when a window is configured (-w &gt; 0).</summary>
    [MethodImpl(PacketPath.Hot)]
    public bool TryAcceptSequence(ushort senderId, uint sequence)
    {
        var window = Volatile.Read(ref _window);
        if (window is null)
        {
            return true;
        }

        lock (window)
        {
            return window.TryAccept(senderId, sequence);
        }
    }

    /// <summary>An authenticated datagram from another address that was not newer than the peer's latest: the remote
    /// stayed (a replay from elsewhere, or a peer restarted on a new port; see <see cref="RoamingGuard"/>).</summary>
    public void CountRefusedRoam() => Interlocked.Increment(ref _refusedRoams);

    public void MarkReceived() => Volatile.Write(ref _lastReceivedTicks, Environment.TickCount64);

    /// <summary>True the first time only: the routing-loop warning is logged once per connection.</summary>
    public bool TryClaimRoutingLoopWarning() => Interlocked.Exchange(ref _routingLoopWarned, 1) == 0;

    public ConnectionSnapshot Snapshot(bool running)
    {
        var lastTicks = Volatile.Read(ref _lastReceivedTicks);
        DateTime? lastReceived = lastTicks == long.MinValue
            ? null
            : CreatedUtc + TimeSpan.FromMilliseconds(lastTicks - _createdTicks);
        var state = !running ? ConnectionState.Closed : lastReceived is null ? ConnectionState.Waiting : ConnectionState.Established;
        var keys = Keys;
        return new ConnectionSnapshot(
            Mux,
            Remote?.EndPoint,
            state,
            Counters.PacketsIn,
            Counters.BytesIn,
            Counters.PacketsOut,
            Counters.BytesOut,
            Counters.SnapshotDrops(),
            lastReceived,
            NextSequence)
        {
            Origin = Origin,
            Role = keys.Role,
            KdPrf = keys.KdPrf,
            WindowSize = WindowSize,
            RemoteHost = ConfiguredRemote?.Host,
            RemotePort = ConfiguredRemote?.Port ?? Remote?.EndPoint.Port,
            CreatedUtc = CreatedUtc,
            RemoteChangesRefused = Interlocked.Read(ref _refusedRoams),
        };
    }
}

/// <summary>A configured remote as the user gave it: a host name or address literal and a port.</summary>
internal sealed record RemoteHost(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}
