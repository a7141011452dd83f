using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Device;
using Anytun.Engine.Logging;
using Anytun.Engine.Protocol;
using Anytun.Engine.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Anytun.Engine.Runtime;

/// <summary>
/// One anytun-compatible tunnel: a tun/tap device, UDP socket(s) and the engine threads that move packets between them.
/// </summary>
/// <remarks>
/// This class is the lifecycle only (Created → Starting → Running → Stopping → Stopped/Faulted). What a run opens is
/// <see cref="TunnelRuntime"/> (device, sockets, threads); the connection and route tables and every change to them are
/// <see cref="Control"/>, which exists from <see cref="Create"/> on.
/// </remarks>
public sealed class Tunnel : IAsyncDisposable
{
    private static readonly TimeSpan ControlHostStopDeadline = TimeSpan.FromSeconds(3);

    private readonly TunnelOptions _options;
    private readonly string _optionsText;
    private readonly IReadOnlyList<string> _warnings;
    private readonly ILogger _logger;
    private readonly IPacketDevice? _injectedDevice;
    private readonly object _stateLock = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _peerSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception?> _firstResolution = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TunnelState _state = TunnelState.Created;
    private Exception? _fault;
    private Task? _stopTask;
    private TunnelRuntime? _runtime;
    private ControlHostClient? _controlHost;
    private string _name;

    private Tunnel(TunnelOptions options, IReadOnlyList<string> warnings, ILoggerFactory loggers, IPacketDevice? device)
    {
        _options = options;
        _optionsText = options.ToString();
        _warnings = warnings;
        _logger = loggers.CreateLogger<Tunnel>();
        _injectedDevice = device;
        _name = options.DeviceName ?? device?.Name ?? "anytun";
        var deviceKind = device?.Kind ?? options.EffectiveDeviceType;
        Control = new TunnelControl(_name, options, SatpAlgorithms.FromOptions(options), deviceKind, _logger)
        {
            IsRunning = () => State == TunnelState.Running,
        };

        if (options.ControlHost is not null)
        {
            // anytun: a -M/-X peer turns on multi connection support (routing), spec §5.2.
            Control.EnableRouting();
        }

        // The control surface holds the command line's keys now: the copy of the options needs its secrets no longer.
        options.Dispose();
    }

    /// <summary>Validates <paramref name="options"/> and creates a tunnel in state Created. The tunnel copies what it
    /// needs; its copy of the secrets lives only in the connections' key material from then on.</summary>
    /// <param name="options">anytun options; validated here, copied (the caller keeps and disposes its own).</param>
    /// <param name="loggers">Where log lines go; none = discarded.</param>
    /// <param name="device">An already opened device to use instead of opening /dev/net/tun (tests, other platforms).
    /// The tunnel owns it from then on and disposes it when it stops.</param>
    /// <exception cref="AnytunException">InvalidOption or NotSupportedYet.</exception>
    public static Tunnel Create(TunnelOptions options, ILoggerFactory? loggers = null, IPacketDevice? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Clone();
        try
        {
            var warnings = copy.Validate();
            copy.EnsureSupported();
            return new Tunnel(copy, warnings, loggers ?? NullLoggerFactory.Instance, device);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>The run-time control surface: connections, routes, routing mode, and the change events.</summary>
    public TunnelControl Control { get; }

    /// <summary>A name for the tunnel (defaults to the requested device name or "anytun"). Settable before start.</summary>
    public string Name
    {
        get => _name;
        set
        {
            _name = value;
            Control.TunnelName = value;
        }
    }

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
    /// Not awaited by <see cref="StartAsync"/>; its failure is logged, never fatal. The token is cancelled on stop.
    /// </summary>
    public Func<Tunnel, CancellationToken, Task>? PostUpCallback { get; set; }

    /// <summary>The device kind in use (from -t/-d, or the injected device).</summary>
    public DeviceType DeviceKind => _runtime?.Device?.Kind ?? _injectedDevice?.Kind ?? _options.EffectiveDeviceType;

    /// <summary>Option warnings from validation (e.g. tag length clamped); also logged at start.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>
    /// Opens the device, configures it (-n), binds the sockets, creates the connection from -r, runs the post-up hook
    /// and starts the engine threads. The state is Running only when all of that succeeded.
    /// </summary>
    /// <exception cref="AnytunException">Anything failed; everything opened so far was closed again (state Faulted).</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateLock)
        {
            if (_state != TunnelState.Created)
            {
                return Task.FromException(new AnytunException(
                    AnytunErrorCode.AlreadyRunning,
                    $"tunnel '{Name}' was already started (state {_state})",
                    Name));
            }
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        SetState(TunnelState.Starting);
        try
        {
            StartCore(cancellationToken);
        }
        catch (Exception exception)
        {
            EngineLog.TunnelStartFailed(_logger, Name, exception.Message);
            var fault = exception as AnytunException ?? new AnytunException(
                AnytunErrorCode.TunnelFaulted,
                $"tunnel '{Name}' failed to start: {exception.Message}",
                Name,
                exception);
            ReleaseResources(fault);
            return exception is OperationCanceledException ? Task.FromCanceled(cancellationToken) : Task.FromException(fault);
        }

        // A StopAsync that arrived meanwhile waits for this transition and then stops the tunnel.
        SetState(TunnelState.Running);
        EngineLog.TunnelRunning(_logger, Name, DeviceName ?? "?", string.Join(", ", LocalEndPoints.Select(UdpTransport.EndPointText)));
        return Task.CompletedTask;
    }

    /// <summary>Stops the threads, closes sockets and device, zeroes keys. Idempotent; safe from any thread.</summary>
    public Task StopAsync() => BeginShutdown(null);

    /// <summary>Completes when the first authenticated datagram has arrived.</summary>
    /// <exception cref="AnytunException">TunnelFaulted when the tunnel stops or faults before that.</exception>
    public Task WaitForPeerAsync(CancellationToken cancellationToken = default) => _peerSeen.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Completes after the first attempt to resolve a -r host name: null when it resolved (or -r is an address, or not
    /// given, or the tunnel stopped first), else why it failed; the tunnel keeps retrying either way.
    /// </summary>
    public Task<Exception?> FirstResolution => _firstResolution.Task;

    /// <summary>Snapshots of every connection, by mux (<see cref="TunnelControl.GetConnections"/>).</summary>
    public IReadOnlyList<ConnectionSnapshot> GetConnections() => Control.GetConnections();

    /// <summary>Drops that belong to no connection (unknown mux, garbage, no route, no connection, ...).</summary>
    public DropCounters GetTunnelDrops() => Control.GetTunnelDrops();

    /// <summary>Same as <see cref="StopAsync"/>.</summary>
    public ValueTask DisposeAsync() => new(StopAsync());

    public override string ToString() => $"{Name} ({State})";

    /// <summary>Kernel offloads and batching the packet path uses (default: <see cref="OffloadSettings.FromEnvironment"/>).
    /// Settable before start; tests run both paths.</summary>
    internal OffloadSettings Offloads { get; set; } = OffloadSettings.FromEnvironment();

    /// <summary>How the engine waits under light traffic (default: the ANYTUN_IDLE_MODE environment variable, see
    /// <see cref="Runtime.IdleMode"/>). Read when the tunnel starts.</summary>
    public IdleMode IdleMode { get; set; } = IdleModes.FromEnvironment();

    /// <summary>Test hook: the engine loops (sender first, then one receiver per socket).</summary>
    internal SenderLoop? Sender => _runtime?.Threads?.Sender;

    internal IReadOnlyList<ReceiverLoop> Receivers => _runtime?.Threads?.Receivers ?? Array.Empty<ReceiverLoop>();

    /// <summary>Test hook: a receiver carries the device (single-thread mode).</summary>
    internal bool IsSingleThreaded => _runtime?.Context?.LoadMode?.Carrier is not null;

    /// <summary>Test hook: the device of the current run.</summary>
    internal IPacketDevice? Device => _runtime?.Device;

    /// <summary>Test hook: the drop log reporter of the running tunnel.</summary>
    internal DropLogReporter? DropLog => _runtime?.Context?.DropLog;

    internal IReadOnlyList<Thread> Threads => _runtime?.Threads?.Threads ?? Array.Empty<Thread>();

    /// <summary>Wait between control-host attempts (-X); anytun's 10 s. Settable before start (tests).</summary>
    internal TimeSpan ControlHostRetryInterval { get; set; } = ControlHostClient.DefaultRetryInterval;

    /// <summary>Test hook: the -X client of the current run.</summary>
    internal ControlHostClient? ControlHost => _controlHost;

    private void StartCore(CancellationToken cancellationToken)
    {
        EngineLog.TunnelStarting(_logger, Name, _optionsText);
        foreach (var warning in _warnings)
        {
            EngineLog.OptionWarning(_logger, warning);
        }

        var offloads = Offloads;
        OffloadLog.Requested(_logger, offloads.ToString());
        var runtime = TunnelRuntime.Start(
            Name,
            _options,
            _injectedDevice,
            Control,
            offloads,
            IdleMode,
            _logger,
            () => _peerSeen.TrySetResult(),
            OnLoopFaulted,
            failure => _firstResolution.TrySetResult(failure),
            cancellationToken);
        _runtime = runtime;
        DeviceName = runtime.Device!.Name;
        LocalEndPoints = runtime.Transport!.LocalEndPoints;
        PostUpRunner.Run(this, PostUpCallback, _options.PostUpScript, DeviceName, _logger, _lifetime.Token);
        if (_options.ControlHost is { } controlHost)
        {
            // anytun starts its sync client right after the device is set up; it fetches the table in the background.
            _controlHost = new ControlHostClient(
                Sync.SyncPeerAddress.Parse(controlHost, OptionNames.ControlHost),
                Control,
                _options.AddressFamily,
                _logger)
            {
                RetryInterval = ControlHostRetryInterval,
            };
            _controlHost.Start();
        }
    }

    private void OnLoopFaulted(string thread, Exception exception)
    {
        EngineLog.TunnelFaulted(_logger, Name, thread, exception);
        var fault = new AnytunException(
            AnytunErrorCode.TunnelFaulted,
            $"tunnel '{Name}': engine thread '{thread}' failed: {exception.Message}",
            Name,
            exception);

        // Never join the faulting thread from itself: shut down on the thread pool.
        _ = Task.Run(() => BeginShutdown(fault));
    }

    private Task BeginShutdown(Exception? fault)
    {
        lock (_stateLock)
        {
            if (_stopTask is not null)
            {
                return _stopTask;
            }

            if (_state is TunnelState.Created or TunnelState.Stopped or TunnelState.Faulted)
            {
                var wasCreated = _state == TunnelState.Created;
                _stopTask = Task.CompletedTask;
                if (!wasCreated)
                {
                    return _stopTask;
                }
            }
            else
            {
                _stopTask = Task.Run(() => Shutdown(fault));
                return _stopTask;
            }
        }

        // Stopped before it was ever started: nothing to close but the options' secrets.
        ReleaseResources(null);
        return _stopTask;
    }

    private void Shutdown(Exception? fault)
    {
        // A concurrent StartAsync finishes (or fails) before we tear down what it opened.
        SpinWait.SpinUntil(() => State != TunnelState.Starting);
        lock (_stateLock)
        {
            if (_state is TunnelState.Stopped or TunnelState.Faulted)
            {
                return;
            }
        }

        SetState(TunnelState.Stopping);
        ReleaseResources(fault);
    }

    /// <summary>Cancel → close sockets and device (wakes the threads) → join → zero keys → final state.</summary>
    private void ReleaseResources(Exception? fault)
    {
        try
        {
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        // The control-host client writes to the tables: stop it before they are closed.
        _controlHost?.StopAsync(ControlHostStopDeadline).GetAwaiter().GetResult();

        if (_runtime is { } runtime)
        {
            runtime.Stop(_logger);
        }
        else
        {
            // Never started (or failed before the device was opened): the tunnel still owns the injected device.
            _injectedDevice?.Dispose();
        }

        // No engine thread runs any more: every key (live, retired, the command line's) can be zeroed now.
        Control.Stop();
        _firstResolution.TrySetResult(null);

        if (fault is null)
        {
            _peerSeen.TrySetException(new AnytunException(AnytunErrorCode.TunnelFaulted, $"tunnel '{Name}' stopped before a peer was seen", Name));
            SetState(TunnelState.Stopped);
            EngineLog.TunnelStopped(_logger, Name);
        }
        else
        {
            _peerSeen.TrySetException(fault);
            SetState(TunnelState.Faulted, fault);
        }

        // Observe the exception so an unawaited WaitForPeerAsync does not surface as unobserved.
        _ = _peerSeen.Task.Exception;
    }

    private void SetState(TunnelState newState, Exception? fault = null)
    {
        TunnelState previous;
        lock (_stateLock)
        {
            previous = _state;
            if (previous == newState)
            {
                return;
            }

            _state = newState;
            if (fault is not null)
            {
                Volatile.Write(ref _fault, fault);
            }
        }

        StateChanged?.Invoke(this, new TunnelStateChangedEventArgs(previous, newState, fault));
    }
}
