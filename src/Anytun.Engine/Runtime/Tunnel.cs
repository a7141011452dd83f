using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Device;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Anytun.Engine.Runtime;

/// <summary>
/// One anytun-compatible tunnel: a tun/tap device, UDP socket(s) and the engine threads that move packets between them.
/// </summary>
public sealed class Tunnel : IAsyncDisposable
{
    private readonly TunnelOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly IPacketDevice? _injectedDevice;
    private readonly object _stateLock = new();
    private TunnelState _state = TunnelState.Created;
    private Exception? _fault;

    private Tunnel(TunnelOptions options, ILoggerFactory loggers, IPacketDevice? device)
    {
        _options = options;
        _loggers = loggers;
        _injectedDevice = device;
        Name = options.DeviceName ?? "anytun";
    }

    /// <summary>Validates <paramref name="options"/> (a private copy is kept) and creates a tunnel in state Created.</summary>
    /// <param name="device">An already opened device to use instead of opening /dev/net/tun (tests, other platforms).</param>
    public static Tunnel Create(TunnelOptions options, ILoggerFactory? loggers = null, IPacketDevice? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Clone();
        copy.Validate();
        copy.EnsureSupported();
        return new Tunnel(copy, loggers ?? NullLoggerFactory.Instance, device);
    }

    /// <summary>A name for the tunnel (defaults to the requested device name or "anytun"). Settable before start.</summary>
    public string Name { get; set; }

    /// <summary>The actual device name once started (kernel-chosen when none was requested).</summary>
    public string? DeviceName { get; private set; }

    /// <summary>The bound local UDP endpoints (actual ports) once started.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints { get; private set; } = Array.Empty<IPEndPoint>();

    public TunnelState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    /// <summary>Why the tunnel is <see cref="TunnelState.Faulted"/>; null otherwise.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Raised on every state transition, on whatever thread caused it.</summary>
    public event EventHandler<TunnelStateChangedEventArgs>? StateChanged;

    /// <summary>
    /// Runs after the device is up instead of the -x script (the PowerShell layer runs a ScriptBlock through it).
    /// Not awaited by <see cref="StartAsync"/>; its failure is logged, never fatal.
    /// </summary>
    public Func<Tunnel, CancellationToken, Task>? PostUpCallback { get; set; }

    /// <summary>Opens the device, configures it (-n), binds the sockets, runs the post-up hook and starts the engine threads.</summary>
    /// <exception cref="AnytunException">Anything failed; everything opened so far was closed again.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        _ = _loggers;
        _ = _injectedDevice;
        SetState(TunnelState.Starting);
        throw new NotImplementedException();
    }

    /// <summary>Stops the threads and closes sockets and device. Idempotent.</summary>
    public Task StopAsync()
    {
        throw new NotImplementedException();
    }

    /// <summary>Completes when the first authenticated datagram has arrived.</summary>
    public Task WaitForPeerAsync(CancellationToken cancellationToken = default)
    {
        throw new NotImplementedException();
    }

    /// <summary>Snapshots of every connection (empty while no remote is known).</summary>
    public IReadOnlyList<ConnectionSnapshot> GetConnections()
    {
        throw new NotImplementedException();
    }

    /// <summary>Drops that belong to no connection (unknown mux, too short before a connection exists, ...).</summary>
    public DropCounters GetTunnelDrops()
    {
        throw new NotImplementedException();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private void SetState(TunnelState newState, Exception? fault = null)
    {
        TunnelState previous;
        lock (_stateLock)
        {
            previous = _state;
            _state = newState;
            if (fault is not null)
            {
                Volatile.Write(ref _fault, fault);
            }
        }

        StateChanged?.Invoke(this, new TunnelStateChangedEventArgs(previous, newState, fault));
    }
}
