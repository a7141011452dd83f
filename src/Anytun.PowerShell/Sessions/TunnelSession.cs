using Anytun.Engine.Protocol;
using Anytun.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Anytun;

/// <summary>
/// One started tunnel as the module tracks it: the engine tunnel, its definition, where its messages go,
/// and (unless run with -Wait) its job. Stopping is idempotent and removes it from the registry.
/// </summary>
internal sealed class TunnelSession : StoppableSession
{
    private readonly ILoggerFactory _loggers;

    internal TunnelSession(string name, AnytunTunnelDefinition definition, Tunnel tunnel, ILoggerFactory loggers, ITunnelStreamWriter writer)
        : base(name)
    {
        Definition = definition;
        Tunnel = tunnel;
        _loggers = loggers;
        Writer = writer;
        StartTime = DateTime.Now;
        KernelRoutes = new KernelRouteTable(tunnel);
        tunnel.StateChanged += OnTunnelStateChanged;
    }

    /// <summary>Raised on a thread-pool thread (never an engine thread) when the engine faults.</summary>
    internal event Action<TunnelSession, Exception?>? Faulted;

    internal AnytunTunnelDefinition Definition { get; }

    internal Tunnel Tunnel { get; }

    internal ITunnelStreamWriter Writer { get; }

    internal DateTime StartTime { get; }

    /// <summary>Kernel routes this module added via the tunnel device (removed again at stop).</summary>
    internal KernelRouteTable KernelRoutes { get; }

    internal AnytunTunnelJob? Job { get; set; }

    private protected override AnytunJob? OwningJob => Job;

    internal AnytunTunnel ToOutput()
    {
        var control = Tunnel.Control;
        var connections = control.GetConnections();
        var drops = control.GetTunnelDrops();
        return new AnytunTunnel(
            Name,
            MapState(Tunnel.State),
            Tunnel.DeviceName,
            Definition,
            Tunnel.LocalEndPoints,
            connections.Count == 1 ? connections[0].RemoteEndPoint : null,
            Job?.Id,
            StartTime)
        {
            ConnectionCount = connections.Count,
            RouteCount = control.GetRoutes().Count,
            RoutingEnabled = control.RoutingEnabled,
            IdleMode = EngineEnumMap.FromEngine(Tunnel.IdleMode),
            DropsWrongMux = drops[DropReason.WrongMux],
            DropsGarbage = drops[DropReason.TooShort] + drops[DropReason.BadTag] + drops[DropReason.Malformed],
            DropsNoRoute = drops[DropReason.NoRoute],
            DropsNoConnection = drops[DropReason.NoConnection],
            TunnelDropsTotal = drops.Total,
        };
    }

    internal static AnytunTunnelState MapState(TunnelState state) => state switch
    {
        TunnelState.Created => AnytunTunnelState.Created,
        TunnelState.Starting => AnytunTunnelState.Starting,
        TunnelState.Running => AnytunTunnelState.Running,
        TunnelState.Stopping => AnytunTunnelState.Stopping,
        TunnelState.Stopped => AnytunTunnelState.Stopped,
        _ => AnytunTunnelState.Faulted,
    };

    private protected override async Task StopCoreAsync()
    {
        try
        {
            KernelRoutes.UninstallAll();
            await Tunnel.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            Tunnel.StateChanged -= OnTunnelStateChanged;
            TunnelRegistry.Remove(this);
            _loggers.Dispose();
        }
    }

    private void OnTunnelStateChanged(object? sender, TunnelStateChangedEventArgs e)
    {
        if (e.NewState != TunnelState.Faulted)
        {
            return;
        }

        var fault = e.Fault ?? Tunnel.Fault;
        ThreadPool.QueueUserWorkItem(_ => Faulted?.Invoke(this, fault));
    }
}
