using System.Net;
using Anytun.Engine.Configuration;
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
public sealed class Tunnel : IAsyncDisposable
{
    private const int JoinTimeoutMilliseconds = 5000;
    private static readonly TimeSpan ResolveRetryInterval = TimeSpan.FromSeconds(10);

    private readonly TunnelOptions _options;
    private readonly IReadOnlyList<string> _warnings;
    private readonly ILogger _logger;
    private readonly IPacketDevice? _injectedDevice;
    private readonly object _stateLock = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _peerSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception?> _firstResolution = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConnectionTable _connections = new();
    private TunnelState _state = TunnelState.Created;
    private Exception? _fault;
    private Task? _stopTask;

    private SatpCryptoSuite? _suite;
    private IPacketDevice? _device;
    private UdpTransport? _transport;
    private EngineContext? _context;
    private SenderLoop? _sender;
    private ReceiverLoop[] _receivers = Array.Empty<ReceiverLoop>();
    private Thread[] _threads = Array.Empty<Thread>();

    private Tunnel(TunnelOptions options, IReadOnlyList<string> warnings, ILoggerFactory loggers, IPacketDevice? device)
    {
        _options = options;
        _warnings = warnings;
        _logger = loggers.CreateLogger<Tunnel>();
        _injectedDevice = device;
        Name = options.DeviceName ?? device?.Name ?? "anytun";
    }

    /// <summary>Validates <paramref name="options"/> (a private copy is kept) and creates a tunnel in state Created.</summary>
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
    /// Not awaited by <see cref="StartAsync"/>; its failure is logged, never fatal. The token is cancelled on stop.
    /// </summary>
    public Func<Tunnel, CancellationToken, Task>? PostUpCallback { get; set; }

    /// <summary>The device kind in use (from -t/-d, or the injected device).</summary>
    public DeviceType DeviceKind => _device?.Kind ?? _injectedDevice?.Kind ?? _options.EffectiveDeviceType;

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

    /// <summary>Snapshots of every connection (empty while no remote is known).</summary>
    public IReadOnlyList<ConnectionSnapshot> GetConnections()
    {
        var running = State == TunnelState.Running;
        var connections = _connections.All;
        var result = new ConnectionSnapshot[connections.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = connections[i].Snapshot(running);
        }

        return result;
    }

    /// <summary>Drops that belong to no connection (unknown mux, too short or unauthenticated before a connection exists, ...).</summary>
    public DropCounters GetTunnelDrops() => _context?.TunnelCounters.SnapshotDrops() ?? new DropCounters(new long[Enum.GetValues<DropReason>().Length]);

    /// <summary>Same as <see cref="StopAsync"/>.</summary>
    public ValueTask DisposeAsync() => new(StopAsync());

    public override string ToString() => $"{Name} ({State})";

    /// <summary>Kernel offloads and batching the packet path uses (default: <see cref="OffloadSettings.FromEnvironment"/>).
    /// Settable before start; tests run both paths.</summary>
    internal OffloadSettings Offloads { get; set; } = OffloadSettings.FromEnvironment();

    /// <summary>Test hook: the engine loops (sender first, then one receiver per socket).</summary>
    internal SenderLoop? Sender => _sender;

    internal IReadOnlyList<ReceiverLoop> Receivers => _receivers;

    internal IReadOnlyList<Thread> Threads => _threads;

    private void StartCore(CancellationToken cancellationToken)
    {
        EngineLog.TunnelStarting(_logger, Name, _options.ToString());
        foreach (var warning in _warnings)
        {
            EngineLog.OptionWarning(_logger, warning);
        }

        _suite = SatpCryptoSuite.FromOptions(_options);

        var offloads = Offloads;
        OffloadLog.Requested(_logger, offloads.ToString());
        var device = _injectedDevice ?? LinuxTunDevice.Open(
            _options.DeviceName,
            _options.EffectiveDeviceType,
            offloads.TunOffload ? TunOffloads.All : TunOffloads.None);
        _device = device;
        if (device is LinuxTunDevice { Offloads: not TunOffloads.None } tun)
        {
            OffloadLog.TunOffloads(_logger, tun.Name, tun.Offloads.ToString());
        }

        DeviceName = device.Name;
        EngineLog.DeviceOpened(_logger, device.Kind == DeviceType.Tap ? "tap" : "tun", device.Name, device.Mtu);
        ConfigureInterface(device);
        cancellationToken.ThrowIfCancellationRequested();

        var localAddresses = EndpointResolver.ResolveLocal(_options.LocalAddress, _options.AddressFamily);
        var implicitWildcards = string.IsNullOrEmpty(_options.LocalAddress) && localAddresses.Count > 1;
        _transport = UdpTransport.Bind(localAddresses, _options.LocalPort, skipUnsupportedFamilies: implicitWildcards);
        LocalEndPoints = _transport.LocalEndPoints;
        foreach (var endPoint in LocalEndPoints)
        {
            EngineLog.SocketOpened(_logger, UdpTransport.EndPointText(endPoint));
        }

        var context = new EngineContext(device, _transport, _connections, _suite, _options, _logger, offloads)
        {
            PeerSeen = () => _peerSeen.TrySetResult(),
            LoopFaulted = OnLoopFaulted,
        };
        _context = context;

        if (!string.IsNullOrEmpty(_options.RemoteHost))
        {
            var literal = EndpointResolver.TryParseRemoteLiteral(_options.RemoteHost, _options.RemotePort, _options.AddressFamily);
            if (literal is not null)
            {
                AddConfiguredConnection(literal);
                _firstResolution.TrySetResult(null);
            }
            else
            {
                _ = ResolveRemoteInBackgroundAsync(_options.RemoteHost, _options.RemotePort, _lifetime.Token);
            }
        }

        else
        {
            _firstResolution.TrySetResult(null);
        }

        cancellationToken.ThrowIfCancellationRequested();
        StartThreads(context);
        context.DropLog.Start();
        RunPostUp(device.Name);
    }

    private void ConfigureInterface(IPacketDevice device)
    {
        var ifConfig = _options.IfConfig;
        if (ifConfig is null)
        {
            // anytun leaves the device down without -n (the post-up script may configure it).
            return;
        }

        if (device is not LinuxTunDevice linux)
        {
            EngineLog.InterfaceConfigSkipped(_logger, device.Name);
            return;
        }

        Netlink.ConfigureInterface(linux.Name, ifConfig.Address, ifConfig.PrefixLength, Netlink.AnytunMtu, broadcast: linux.Kind == DeviceType.Tap);
        linux.Mtu = Netlink.AnytunMtu;
        EngineLog.InterfaceConfigured(_logger, linux.Name, ifConfig.Address.ToString(), ifConfig.PrefixLength, Netlink.AnytunMtu);
    }

    private void AddConfiguredConnection(IPEndPoint remote)
    {
        var endpoint = new RemoteEndpoint(remote);
        _connections.AddOrGet(new Connection(_options.Mux, endpoint, _options.WindowSize), out _);
        EngineLog.ConnectionAdded(_logger, endpoint.Text, _options.Mux);
    }

    private async Task ResolveRemoteInBackgroundAsync(string host, int port, CancellationToken cancellationToken)
    {
        for (var attempt = 1; !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var remote = await EndpointResolver.ResolveRemoteAsync(host, port, _options.AddressFamily, cancellationToken).ConfigureAwait(false);
                if (attempt > 1)
                {
                    EngineLog.ResolvedAfterRetries(_logger, host, attempt);
                }

                AddConfiguredConnection(remote);
                _firstResolution.TrySetResult(null);
                return;
            }
            catch (OperationCanceledException)
            {
                _firstResolution.TrySetResult(null);
                return;
            }
            catch (Exception exception)
            {
                // Warn once (a typo in -r should be seen), then keep retrying quietly as anytun does.
                if (attempt == 1)
                {
                    EngineLog.ResolveFailed(_logger, host, exception.Message, (int)ResolveRetryInterval.TotalSeconds);
                    _firstResolution.TrySetResult(exception);
                }
                else
                {
                    EngineLog.ResolveStillFailing(_logger, host, attempt, exception.Message);
                }
            }

            try
            {
                await Task.Delay(ResolveRetryInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void StartThreads(EngineContext context)
    {
        _sender = new SenderLoop(context);
        context.Sender = _sender;
        var sockets = context.Transport.Sockets;
        var receivers = new ReceiverLoop[sockets.Count];
        var threads = new Thread[sockets.Count + 1];
        threads[0] = new Thread(_sender.Run) { IsBackground = true, Name = $"anytun {Name} sender" };
        for (var i = 0; i < sockets.Count; i++)
        {
            receivers[i] = new ReceiverLoop(context, sockets[i]);
            threads[i + 1] = new Thread(receivers[i].Run)
            {
                IsBackground = true,
                Name = $"anytun {Name} receiver {UdpTransport.EndPointText(LocalEndPoints[i])}",
            };
        }

        _receivers = receivers;
        _sender.Receivers = receivers;
        _threads = threads;
        foreach (var thread in threads)
        {
            thread.Start();
        }
    }

    private void RunPostUp(string deviceName)
    {
        var callback = PostUpCallback;
        if (callback is not null)
        {
            var token = _lifetime.Token;
            _ = Task.Run(async () =>
            {
                try
                {
                    await callback(this, token).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    EngineLog.PostUpCallbackFailed(_logger, Name, exception);
                }
            });
            return;
        }

        if (!string.IsNullOrEmpty(_options.PostUpScript))
        {
            PostUpScript.Start(_options.PostUpScript, deviceName, _logger);
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
        if (_context is not null)
        {
            _context.Stopping = true;
        }

        try
        {
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _transport?.Dispose();
        (_device ?? _injectedDevice)?.Dispose();
        foreach (var thread in _threads)
        {
            if (thread.ManagedThreadId != Environment.CurrentManagedThreadId && !thread.Join(JoinTimeoutMilliseconds))
            {
                EngineLog.ThreadJoinTimeout(_logger, thread.Name ?? "?", JoinTimeoutMilliseconds);
            }
        }

        // The threads are gone: what they counted since the last summary goes into the log now.
        _context?.DropLog.Stop();
        _suite?.Dispose();
        _options.Dispose();

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

        _firstResolution.TrySetResult(null);

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
