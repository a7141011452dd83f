using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Logging;
using Anytun.Engine.Protocol;
using Anytun.Engine.Routing;
using Anytun.Engine.Runtime;
using Anytun.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Control;

/// <summary>
/// The one writer surface of a tunnel's connection and route tables (<see cref="Tunnel.Control"/>): the command line,
/// cmdlets, a control host, sync and config import all change the tables through it, and every change is published
/// as a <see cref="TunnelChange"/> to the subscribers. Thread-safe; writers serialise on one lock and publish new
/// state by reference, so the packet threads keep reading without a lock. Connections that are not touched keep
/// their keys, counters, send sequence and replay state.
/// <para>
/// Routing mode (spec §5.2): packets read from a tun device go to the connection of the longest matching route once
/// <see cref="EnableRouting"/> was called (anytun: a -M/-X peer is configured) or a connection or route was added by
/// any writer but the command line; before that, and always on a tap device, every packet goes to the lowest mux.
/// Routes from -R are in the table either way (anytun keeps them when routing is off).
/// </para>
/// </summary>
public sealed partial class TunnelControl
{
    private const int ReclaimIntervalMilliseconds = 100;

    private readonly object _lock = new();
    private readonly ConnectionDefaults _defaults;
    private readonly bool _canRoute;
    private readonly ILogger _logger;
    private readonly TunnelChangeFeed _feed = new();
    private readonly RouteSet _routes;
    private readonly RemoteResolver _resolver;
    private volatile bool _routing;
    private volatile bool _stopped;
    private Timer? _reclaimTimer;
    private Action<Exception?>? _commandLineFirstResolution;

    internal TunnelControl(string tunnelName, TunnelOptions options, SatpAlgorithms algorithms, DeviceType deviceKind, ILogger logger)
    {
        TunnelName = tunnelName;
        _logger = logger;
        _canRoute = deviceKind == DeviceType.Tun;
        Algorithms = algorithms;
        _defaults = new ConnectionDefaults(options, algorithms);
        _routes = new RouteSet(options.Routes.Select(p => new RouteEntry(p, options.Mux, EntryOrigin.CommandLine)), logger);
        _resolver = new RemoteResolver(options.AddressFamily, logger);
    }

    /// <summary>True when packets from the device are routed by destination (see the class remarks).</summary>
    public bool RoutingEnabled => _routing;

    // ---- engine side (packet threads read these without a lock)

    internal SatpAlgorithms Algorithms { get; }

    internal ConnectionTable Connections { get; } = new();

    internal QuiescentReclaimer Reclaimer { get; } = new();

    /// <summary>Drops that belong to no connection (unknown mux, garbage, no route, ...).</summary>
    internal TrafficCounters TunnelCounters { get; } = new();

    /// <summary>The command line's keys (learning authenticates with them).</summary>
    internal ConnectionKeys DefaultKeys => _defaults.Keys;

    /// <summary>The current route table (immutable; replaced on every route change).</summary>
    internal RouteTable Routes => _routes.Table;

    /// <summary>The tunnel's name, for messages (the tunnel keeps it current).</summary>
    internal string TunnelName { get; set; }

    /// <summary>Whether the tunnel is running (connection snapshots say Closed otherwise). Set by the tunnel.</summary>
    internal Func<bool> IsRunning { get; set; } = static () => false;

    // ---- reads

    /// <summary>Snapshots of every connection, by mux.</summary>
    public IReadOnlyList<ConnectionSnapshot> GetConnections()
    {
        var running = IsRunning();
        var connections = Connections.All;
        var result = new ConnectionSnapshot[connections.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = connections[i].Snapshot(running);
        }

        return result;
    }

    /// <summary>A snapshot of connection <paramref name="mux"/>, or null.</summary>
    public ConnectionSnapshot? GetConnection(ushort mux) => Connections.Find(mux)?.Snapshot(IsRunning());

    /// <summary>The routes in anytun's dump order (IPv4, IPv6; each by length, then address).</summary>
    public IReadOnlyList<RouteEntry> GetRoutes() => Routes.Entries;

    /// <summary>Drops that belong to no connection.</summary>
    public DropCounters GetTunnelDrops() => TunnelCounters.SnapshotDrops();

    /// <summary>
    /// Receives every later change (a bounded queue of <paramref name="capacity"/> changes: a slow consumer misses
    /// changes, counted in <see cref="ChangeSubscription.Dropped"/>, and never slows the tunnel). Dispose to stop.
    /// </summary>
    public ChangeSubscription Subscribe(int capacity = 1024) => _feed.Subscribe(capacity);

    /// <summary>
    /// True when connection <paramref name="spec"/>.Mux exists and is what <see cref="AddConnection"/> would create from
    /// <paramref name="spec"/>: the same key material, role and kd-prf (unset = the tunnel's defaults), window size and
    /// configured remote, and every prefix of <see cref="ConnectionSpec.Routes"/> routed to it. Lets a writer tell an
    /// identical connection (an idempotent add) from a different one that holds the mux.
    /// </summary>
    /// <exception cref="AnytunException">InvalidOption (the spec's key material, window size or remote is invalid).</exception>
    public bool HasIdenticalConnection(ConnectionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (_lock)
        {
            if (_stopped || Connections.Find(spec.Mux) is not { } connection)
            {
                return false;
            }

            var remote = spec.RemoteHost is null ? null : ParseRemote(spec);
            if (remote != connection.ConfiguredRemote || _defaults.CheckWindowSize(spec.WindowSize) != connection.WindowSize)
            {
                return false;
            }

            foreach (var prefix in spec.Routes ?? Array.Empty<IPPrefix>())
            {
                if (!_routes.TryGet(prefix, out var entry) || entry.Mux != spec.Mux)
                {
                    return false;
                }
            }

            using var keys = spec.HasKeySettings ? _defaults.BuildKeys(spec, null) : _defaults.CopyOfDefaultKeys();
            return connection.Keys.HasSameMaterial(keys);
        }
    }

    // ---- writes

    /// <summary>
    /// Adds a connection. Unset values of <paramref name="spec"/> take the tunnel's defaults; a host name is resolved in
    /// the background (retried every 10 s); a routes list adds those routes.
    /// </summary>
    /// <exception cref="AnytunException">ConnectionAlreadyExists, RouteAlreadyExists (nothing was added),
    /// InvalidOption (key material, window size, remote), TunnelStopped.</exception>
    public ConnectionSnapshot AddConnection(ConnectionSpec spec, EntryOrigin origin = EntryOrigin.Cmdlet)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var changes = new List<TunnelChange>();
        lock (_lock)
        {
            ThrowIfStopped();
            if (Connections.Find(spec.Mux) is not null)
            {
                throw new AnytunException(
                    AnytunErrorCode.ConnectionAlreadyExists,
                    $"tunnel '{TunnelName}' already has connection {spec.Mux}.",
                    spec.Mux.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            foreach (var prefix in spec.Routes ?? Array.Empty<IPPrefix>())
            {
                if (_routes.TryGet(prefix, out var existing))
                {
                    throw RouteExists(existing);
                }
            }

            var connection = CreateConnection(spec, origin);
            AddCreated(connection, changes);
            foreach (var prefix in spec.Routes ?? Array.Empty<IPPrefix>())
            {
                _routes.Set(prefix, spec.Mux, origin, changes);
            }

            Commit(origin, changes);
        }

        Publish(changes);
        return Connections.Find(spec.Mux)!.Snapshot(IsRunning());
    }

    /// <summary>
    /// Changes connection <paramref name="spec"/>.Mux: only what the spec sets (remote, key settings, window size, send
    /// sequence, routes); key settings it leaves out come from the current keys. Counters, replay state and, unless set,
    /// the send sequence are kept. Returns what changed (empty when it already was so).
    /// </summary>
    /// <exception cref="AnytunException">ConnectionNotFound, InvalidOption, TunnelStopped.</exception>
    public ConfigurationChanges SetConnection(ConnectionSpec spec, EntryOrigin origin = EntryOrigin.Cmdlet)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var changes = new List<TunnelChange>();
        lock (_lock)
        {
            ThrowIfStopped();
            var connection = Connections.Find(spec.Mux) ?? throw ConnectionMissing(spec.Mux);
            var newKeys = spec.HasKeySettings ? _defaults.BuildKeys(spec, connection.Keys) : null;
            try
            {
                var window = spec.WindowSize is null ? connection.WindowSize : _defaults.CheckWindowSize(spec.WindowSize);
                var remote = spec.RemoteHost is null ? null : ParseRemote(spec);
                UpdateConnection(connection, newKeys, remote, window, spec.NextSequence, origin, changes);
                newKeys = null;
            }
            finally
            {
                newKeys?.Dispose();
            }

            if (spec.Routes is { } routes)
            {
                var wanted = new HashSet<IPPrefix>(routes);
                foreach (var entry in _routes.To(spec.Mux).Where(e => !wanted.Contains(e.Prefix)))
                {
                    _routes.Remove(entry, origin, changes);
                }

                foreach (var prefix in wanted)
                {
                    _routes.Set(prefix, spec.Mux, origin, changes);
                }
            }

            Commit(origin, changes);
        }

        Publish(changes);
        return new ConfigurationChanges(changes);
    }

    /// <summary>Removes connection <paramref name="mux"/> and the routes that point at it; its keys are zeroed once no
    /// engine thread can still use them.</summary>
    /// <exception cref="AnytunException">ConnectionNotFound, TunnelStopped.</exception>
    public ConfigurationChanges RemoveConnection(ushort mux, EntryOrigin origin = EntryOrigin.Cmdlet)
    {
        var changes = new List<TunnelChange>();
        lock (_lock)
        {
            ThrowIfStopped();
            var connection = Connections.Find(mux) ?? throw ConnectionMissing(mux);
            RemoveConnectionCore(connection, origin, changes);
            Commit(origin, changes);
        }

        Publish(changes);
        return new ConfigurationChanges(changes);
    }

    /// <summary>Adds a route; the mux need not have a connection yet (its packets are dropped as NoConnection until then).</summary>
    /// <exception cref="AnytunException">RouteAlreadyExists (whatever mux it points at), TunnelStopped.</exception>
    public RouteEntry AddRoute(IPPrefix prefix, ushort mux, EntryOrigin origin = EntryOrigin.Cmdlet)
    {
        var changes = new List<TunnelChange>();
        lock (_lock)
        {
            ThrowIfStopped();
            if (_routes.TryGet(prefix, out var existing))
            {
                throw RouteExists(existing);
            }

            _routes.Set(prefix, mux, origin, changes);
            Commit(origin, changes);
        }

        Publish(changes);
        return new RouteEntry(prefix, mux, origin);
    }

    /// <summary>Removes the route of <paramref name="prefix"/> (host bits do not matter); it stops matching at once.</summary>
    /// <exception cref="AnytunException">RouteNotFound, TunnelStopped.</exception>
    public RouteEntry RemoveRoute(IPPrefix prefix, EntryOrigin origin = EntryOrigin.Cmdlet)
    {
        var changes = new List<TunnelChange>();
        RouteEntry entry;
        lock (_lock)
        {
            ThrowIfStopped();
            if (!_routes.TryGet(prefix, out entry))
            {
                throw new AnytunException(AnytunErrorCode.RouteNotFound, $"tunnel '{TunnelName}' has no route {prefix}.", prefix.ToString());
            }

            _routes.Remove(entry, origin, changes);
            Commit(origin, changes);
        }

        Publish(changes);
        return entry;
    }

    /// <summary>
    /// Brings the tables to <paramref name="desired"/>, touching only the differences: a connection whose settings are
    /// equal is left alone (keys, counters, sequence, replay state), one that differs is changed in place, a missing one
    /// is added; with <see cref="ApplyMode.Replace"/> everything not in <paramref name="desired"/> is removed. Applying the
    /// same configuration twice returns no changes the second time. Unset values mean the tunnel's defaults, except
    /// that an unset remote keeps a known one and an unset sequence keeps the counter. All checks run before the first
    /// change, so an invalid configuration changes nothing.
    /// </summary>
    /// <exception cref="AnytunException">InvalidOption (duplicate mux, a prefix given for two muxes, key material,
    /// window size, remote), TunnelStopped.</exception>
    public ConfigurationChanges Apply(TunnelConfiguration desired, ApplyMode mode, EntryOrigin origin = EntryOrigin.Cmdlet)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var changes = new List<TunnelChange>();
        lock (_lock)
        {
            ThrowIfStopped();
            var wantedRoutes = CollectRoutes(desired);
            var plans = new List<(ConnectionSpec Spec, ConnectionKeys Keys, RemoteHost? Remote, uint Window)>();
            try
            {
                var muxes = new HashSet<ushort>();
                foreach (var spec in desired.Connections)
                {
                    if (!muxes.Add(spec.Mux))
                    {
                        throw new AnytunException(AnytunErrorCode.InvalidOption, $"connection {spec.Mux} is given twice.", spec.Mux.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }

                    var window = _defaults.CheckWindowSize(spec.WindowSize);
                    var remote = spec.RemoteHost is null ? null : ParseRemote(spec);
                    plans.Add((spec, _defaults.BuildKeys(spec, null), remote, window));
                }
            }
            catch
            {
                foreach (var plan in plans)
                {
                    plan.Keys.Dispose();
                }

                throw;
            }

            foreach (var (spec, keys, remote, window) in plans)
            {
                var existing = Connections.Find(spec.Mux);
                if (existing is null)
                {
                    AddCreated(NewConnection(spec.Mux, keys, remote, window, spec.NextSequence, origin), changes);
                }
                else
                {
                    UpdateConnection(existing, keys, remote, window, spec.NextSequence, origin, changes);
                }
            }

            if (mode == ApplyMode.Replace)
            {
                var muxes = new HashSet<ushort>(desired.Connections.Select(static c => c.Mux));
                foreach (var connection in Connections.All)
                {
                    if (!muxes.Contains(connection.Mux))
                    {
                        RemoveConnectionCore(connection, origin, changes);
                    }
                }

                foreach (var entry in _routes.Except(wantedRoutes))
                {
                    _routes.Remove(entry, origin, changes);
                }
            }

            foreach (var (prefix, mux) in wantedRoutes)
            {
                _routes.Set(prefix, mux, origin, changes);
            }

            Commit(origin, changes);
        }

        Publish(changes);
        return new ConfigurationChanges(changes);
    }

    /// <summary>Turns routing mode on (anytun's rule: a -M/-X peer is configured). No effect on a tap device.</summary>
    public void EnableRouting() => TurnOnRouting("a sync or control host is configured");

    public override string ToString() => $"control of tunnel '{TunnelName}': {Connections.Count} connection(s), {Routes.Count} route(s)";

    // ---- engine side: lifecycle and the receivers' rare events

    /// <summary>The connection of -r/-o/-m (at start, once the sockets are bound).</summary>
    /// <summary>Adds the -r connection; <paramref name="firstResolution"/> learns how the first resolution went (null:
    /// resolved, a literal, or cancelled), so the cmdlet can warn about a typo while the tunnel keeps retrying.</summary>
    internal void AddCommandLineConnection(TunnelOptions options, Action<Exception?> firstResolution)
    {
        using var spec = new ConnectionSpec(options.Mux) { RemoteHost = options.RemoteHost, RemotePort = options.RemotePort };
        _commandLineFirstResolution = firstResolution;
        try
        {
            AddConnection(spec, EntryOrigin.CommandLine);
        }
        finally
        {
            // Not resolving in the background (a literal, or the add failed): the first resolution is over.
            Interlocked.Exchange(ref _commandLineFirstResolution, null)?.Invoke(null);
        }
    }

    /// <summary>
    /// A receiver saw the first authenticated datagram while the table was empty and no -r was given: creates the
    /// connection with the datagram's mux and source (race-safe; the loser of a race gets the winner's connection).
    /// </summary>
    internal Connection LearnConnection(ushort mux, SocketAddress source)
    {
        var remote = RemoteEndpoint.FromSocketAddress(source);
        var keys = _defaults.CopyOfDefaultKeys();
        var candidate = new Connection(mux, keys, remote, _defaults.WindowSize, EntryOrigin.Learned);
        var connection = Connections.AddOrGet(candidate, out var added);
        if (!added)
        {
            keys.Dispose();
            return connection;
        }

        EngineLog.RemoteAutodetected(_logger, remote.Text, mux);
        _feed.Publish(new TunnelChange(TunnelChangeKind.ConnectionAdded, mux, EntryOrigin.Learned) { RemoteEndPoint = remote.EndPoint });
        _feed.Publish(new TunnelChange(TunnelChangeKind.RemoteChanged, mux, EntryOrigin.Learned)
        {
            RemoteEndPoint = remote.EndPoint,
            RemoteReason = RemoteChangeReason.Learned,
        });
        return connection;
    }

    /// <summary>A receiver moves <paramref name="connection"/> to the datagram's source (learned or roamed).</summary>
    internal void MoveRemote(Connection connection, SocketAddress source, RemoteChangeReason reason)
    {
        var remote = RemoteEndpoint.FromSocketAddress(source);
        connection.SetRemote(remote);
        if (reason == RemoteChangeReason.Roamed)
        {
            EngineLog.RemoteChanged(_logger, connection.Mux, remote.Text);
        }
        else
        {
            EngineLog.RemoteAutodetected(_logger, remote.Text, connection.Mux);
        }

        _feed.Publish(new TunnelChange(TunnelChangeKind.RemoteChanged, connection.Mux, EntryOrigin.Learned)
        {
            RemoteEndPoint = remote.EndPoint,
            RemoteReason = reason,
        });
    }

    /// <summary>Starts disposing retired keys on a timer (the engine threads exist from now on). The timer runs only
    /// while something waits for disposal: an idle tunnel wakes no thread-pool thread (each wake-up spins a worker on a
    /// core the packet threads may need).</summary>
    internal void StartReclaiming()
    {
        lock (_lock)
        {
            _reclaimTimer ??= new Timer(static state => ((TunnelControl)state!).ReclaimTick(), this, Timeout.Infinite, Timeout.Infinite);
            ArmReclaimTimer();
        }
    }

    /// <summary>Retires <paramref name="keys"/> (disposed once no engine thread can hold them) and runs the timer until
    /// they are. Caller holds <c>_lock</c>.</summary>
    private void RetireKeys(ConnectionKeys keys)
    {
        Reclaimer.Retire(keys);
        ArmReclaimTimer();
    }

    private void ArmReclaimTimer()
    {
        if (Reclaimer.PendingCount > 0)
        {
            _reclaimTimer?.Change(ReclaimIntervalMilliseconds, ReclaimIntervalMilliseconds);
        }
    }

    private void ReclaimTick()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            Reclaimer.Poll();
            if (Reclaimer.PendingCount == 0)
            {
                _reclaimTimer?.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }
    }

    /// <summary>
    /// The tunnel stopped and its threads were joined: cancels resolutions, zeroes every key (live, retired, defaults)
    /// and completes the subscriptions. Later writes throw TunnelStopped; reads keep working.
    /// </summary>
    internal void Stop()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _reclaimTimer?.Dispose();
            _reclaimTimer = null;
            _resolver.CancelAll();
            Reclaimer.DisposeAll();
            foreach (var connection in Connections.All)
            {
                connection.Keys.Dispose();
            }

            _defaults.Dispose();
        }

        _feed.Complete();
    }

    // ---- helpers (callers hold _lock)

    private Connection CreateConnection(ConnectionSpec spec, EntryOrigin origin)
    {
        var window = _defaults.CheckWindowSize(spec.WindowSize);
        var remote = spec.RemoteHost is null ? null : ParseRemote(spec);
        var keys = spec.HasKeySettings ? _defaults.BuildKeys(spec, null) : _defaults.CopyOfDefaultKeys();
        return NewConnection(spec.Mux, keys, remote, window, spec.NextSequence, origin);
    }

    private Connection NewConnection(ushort mux, ConnectionKeys keys, RemoteHost? remote, uint window, uint? sequence, EntryOrigin origin)
    {
        var endPoint = remote is null ? null : LiteralEndpoint(remote);
        var connection = new Connection(mux, keys, endPoint is null ? null : new RemoteEndpoint(endPoint), window, origin, remote);
        if (sequence is { } next)
        {
            connection.SetNextSequence(next);
        }

        return connection;
    }

    private void AddCreated(Connection connection, List<TunnelChange> changes)
    {
        Connections.AddOrGet(connection, out var added);
        if (!added)
        {
            // A receiver learned this mux from its first datagram between the check and now (table empty, no -r).
            connection.Keys.Dispose();
            throw new AnytunException(
                AnytunErrorCode.ConnectionAlreadyExists,
                $"tunnel '{TunnelName}' learned connection {connection.Mux} from its first datagram just now.",
                connection.Mux.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var remote = connection.Remote;
        if (remote is not null)
        {
            EngineLog.ConnectionAdded(_logger, remote.Text, connection.Mux);
        }
        else
        {
            ControlLog.ConnectionAdded(_logger, connection.Mux, connection.Origin.ToString(), connection.ConfiguredRemote?.ToString() ?? "unknown (learned from the first datagram)");
        }

        changes.Add(new TunnelChange(TunnelChangeKind.ConnectionAdded, connection.Mux, connection.Origin) { RemoteEndPoint = remote?.EndPoint });
        StartResolutionIfNeeded(connection);
    }

    /// <summary>Applies the differences; takes ownership of <paramref name="keys"/> (published or disposed).</summary>
    private void UpdateConnection(Connection connection, ConnectionKeys? keys, RemoteHost? remote, uint window, uint? sequence, EntryOrigin origin, List<TunnelChange> changes)
    {
        var changed = ConnectionProperties.None;
        if (keys is not null)
        {
            if (connection.Keys.HasSameMaterial(keys))
            {
                keys.Dispose();
            }
            else
            {
                var old = connection.SwapKeys(keys);
                RetireKeys(old);
                changed |= ConnectionProperties.Keys;
            }
        }

        IPEndPoint? newEndPoint = null;
        if (remote is not null && remote != connection.ConfiguredRemote)
        {
            var literal = LiteralEndpoint(remote);
            var current = connection.Remote?.EndPoint;
            connection.SetConfiguredRemote(remote);
            _resolver.Cancel(connection);
            if (literal is null)
            {
                StartResolutionIfNeeded(connection);
                changed |= ConnectionProperties.Remote;
            }
            else if (!literal.Equals(current))
            {
                connection.SetRemote(new RemoteEndpoint(literal));
                connection.Roaming.Reset();
                newEndPoint = literal;
                changed |= ConnectionProperties.Remote;
            }
        }

        if (window != connection.WindowSize)
        {
            connection.SetWindowSize(window);
            changed |= ConnectionProperties.WindowSize;
        }

        if (sequence is { } next && next != connection.NextSequence)
        {
            connection.SetNextSequence(next);
            changed |= ConnectionProperties.Sequence;
        }

        if (changed != ConnectionProperties.None)
        {
            ControlLog.ConnectionChanged(_logger, connection.Mux, origin.ToString(), changed.ToString());
            changes.Add(new TunnelChange(TunnelChangeKind.ConnectionChanged, connection.Mux, origin)
            {
                Properties = changed,
                RemoteEndPoint = newEndPoint,
            });
        }
    }

    private void RemoveConnectionCore(Connection connection, EntryOrigin origin, List<TunnelChange> changes)
    {
        Connections.Remove(connection.Mux);
        _resolver.Cancel(connection);
        RetireKeys(connection.Keys);
        ControlLog.ConnectionRemoved(_logger, connection.Mux, origin.ToString());
        changes.Add(new TunnelChange(TunnelChangeKind.ConnectionRemoved, connection.Mux, origin));
        foreach (var entry in _routes.To(connection.Mux))
        {
            _routes.Remove(entry, origin, changes);
        }
    }

    /// <summary>Publishes a new route table when a route changed, and turns routing on for writers other than the command line.</summary>
    private void Commit(EntryOrigin origin, List<TunnelChange> changes)
    {
        _routes.Publish();

        if (origin is not (EntryOrigin.CommandLine or EntryOrigin.Learned)
            && changes.Exists(static c => c.Kind is TunnelChangeKind.ConnectionAdded or TunnelChangeKind.RouteAdded or TunnelChangeKind.RouteChanged))
        {
            TurnOnRouting($"a connection or route was added ({origin})");
        }
    }

    private void TurnOnRouting(string reason)
    {
        if (!_canRoute || _routing)
        {
            return;
        }

        _routing = true;
        ControlLog.RoutingEnabled(_logger, reason);
    }

    private void Publish(List<TunnelChange> changes)
    {
        foreach (var change in changes)
        {
            _feed.Publish(change);
        }
    }

    private Dictionary<IPPrefix, ushort> CollectRoutes(TunnelConfiguration desired)
    {
        var routes = new Dictionary<IPPrefix, ushort>();
        void Want(IPPrefix prefix, ushort mux)
        {
            if (routes.TryGetValue(prefix, out var other) && other != mux)
            {
                throw new AnytunException(AnytunErrorCode.InvalidOption, $"route {prefix} is given for connection {other} and for connection {mux}.", prefix.ToString());
            }

            routes[prefix] = mux;
        }

        foreach (var spec in desired.Connections)
        {
            foreach (var prefix in spec.Routes ?? Array.Empty<IPPrefix>())
            {
                Want(prefix, spec.Mux);
            }
        }

        foreach (var (prefix, mux) in desired.Routes)
        {
            Want(prefix, mux);
        }

        return routes;
    }

    private RemoteHost ParseRemote(ConnectionSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.RemoteHost) || spec.RemotePort is < 1 or > 65535)
        {
            throw new AnytunException(
                AnytunErrorCode.InvalidOption,
                $"connection {spec.Mux}: the remote '{spec.RemoteHost}:{spec.RemotePort}' needs a host and a port from 1 to 65535.",
                OptionNames.RemoteHost);
        }

        var remote = new RemoteHost(spec.RemoteHost.Trim(), spec.RemotePort);
        _ = LiteralEndpoint(remote); // a literal of a family -4/-6 excludes fails here
        return remote;
    }

    private IPEndPoint? LiteralEndpoint(RemoteHost remote) =>
        EndpointResolver.TryParseRemoteLiteral(remote.Host, remote.Port, _defaults.AddressFamily);

    private void StartResolutionIfNeeded(Connection connection)
    {
        if (connection.ConfiguredRemote is not { } remote || LiteralEndpoint(remote) is not null)
        {
            return;
        }

        var firstAttempt = connection.Origin == EntryOrigin.CommandLine ? Interlocked.Exchange(ref _commandLineFirstResolution, null) : null;
        _resolver.Start(connection, remote, OnResolved, firstAttempt);
    }

    private void OnResolved(Connection connection, RemoteHost remote, IPEndPoint endPoint)
    {
        lock (_lock)
        {
            if (_stopped || !ReferenceEquals(Connections.Find(connection.Mux), connection) || connection.ConfiguredRemote != remote)
            {
                return;
            }

            connection.SetRemote(new RemoteEndpoint(endPoint));
            connection.Roaming.Reset();
            _resolver.Finished(connection);
        }

        EngineLog.ConnectionAdded(_logger, UdpTransport.EndPointText(endPoint), connection.Mux);
        ControlLog.RemoteResolved(_logger, connection.Mux, remote.Host, UdpTransport.EndPointText(endPoint));
        _feed.Publish(new TunnelChange(TunnelChangeKind.RemoteChanged, connection.Mux, connection.Origin)
        {
            RemoteEndPoint = endPoint,
            RemoteReason = RemoteChangeReason.Resolved,
        });
    }

    private void ThrowIfStopped()
    {
        if (_stopped)
        {
            throw new AnytunException(AnytunErrorCode.TunnelStopped, $"tunnel '{TunnelName}' is stopped; its connections and routes can no longer change.", TunnelName);
        }
    }

    private AnytunException ConnectionMissing(ushort mux) => new(
        AnytunErrorCode.ConnectionNotFound,
        $"tunnel '{TunnelName}' has no connection {mux}.",
        mux.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private AnytunException RouteExists(RouteEntry existing) => new(
        AnytunErrorCode.RouteAlreadyExists,
        $"tunnel '{TunnelName}' already has a route {existing.Prefix} (to connection {existing.Mux}).",
        existing.Prefix.ToString());
}
