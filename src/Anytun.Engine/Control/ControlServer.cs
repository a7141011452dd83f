using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Anytun.Engine.Control;

/// <summary>
/// anytun-controld (spec §3): listens on TCP and sends every client that connects the whole table (a table file's
/// lines without their newlines, back to back), then leaves the connection open and sends nothing more, as controld
/// does (anytun's -X client reads until the connection drops and re-fetches after reconnecting). Write-only: what a
/// client sends is read into a small buffer and discarded, only so that a client that leaves frees its slot at once
/// (controld never notices). A table file that changes is re-read and served to clients that connect afterwards;
/// clients already connected keep the table they were sent (controld never re-reads; anytun merges what it gets on
/// reconnect). Bounded: at most <see cref="ControlServerLimits.MaxClients"/> clients, each must take the table within
/// <see cref="ControlServerLimits.SendTimeout"/>, and the table bytes are shared, never copied per client.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    private const int DiscardBufferSize = 256;
    private const int ListenBacklog = 128;
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan RefusalLogInterval = TimeSpan.FromSeconds(10);

    private readonly string _host;
    private readonly int _port;
    private readonly ControlTableSource _source;
    private readonly ControlServerLimits _limits;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, ClientConnection> _clients = new();
    private readonly List<Socket> _listeners = new();
    private readonly List<Task> _loops = new();
    private readonly object _gate = new();
    private ControlTable? _table;
    private Task? _stopTask;
    private long _nextClientId;
    private long _served;
    private long _refused;
    private long _tableVersion;
    private long _lastRefusalLog;
    private int _state = (int)ControlServerState.Created;

    /// <summary>
    /// A server for <paramref name="source"/> on <paramref name="host"/>:<paramref name="port"/>. An empty host listens
    /// on every local address (IPv6 and IPv4, as controld's ":port"); a name listens on each address it resolves to;
    /// port 0 takes a free port (see <see cref="LocalEndPoints"/>).
    /// </summary>
    public ControlServer(string host, int port, ControlTableSource source, ControlServerLimits? limits = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        _limits = limits ?? new ControlServerLimits();
        _limits.Validate();
        _host = host;
        _port = port;
        _source = source;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<ControlServer>();
        _lastRefusalLog = Environment.TickCount64 - (long)RefusalLogInterval.TotalMilliseconds;
    }

    public ControlServerState State => (ControlServerState)Volatile.Read(ref _state);

    /// <summary>The addresses listened on (with the port actually bound); empty before start.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints { get; private set; } = Array.Empty<IPEndPoint>();

    /// <summary>What new clients are sent now; null before start.</summary>
    public ControlTable? Table => Volatile.Read(ref _table);

    /// <summary>1 for the table loaded at start, +1 for every re-read of a changed file.</summary>
    public long TableVersion => Interlocked.Read(ref _tableVersion);

    /// <summary>Clients connected now.</summary>
    public int ClientCount => _clients.Count;

    /// <summary>Clients that were sent the whole table since start.</summary>
    public long ClientsServed => Interlocked.Read(ref _served);

    /// <summary>Clients closed at once because <see cref="ControlServerLimits.MaxClients"/> were connected.</summary>
    public long ClientsRefused => Interlocked.Read(ref _refused);

    public ControlServerLimits Limits => _limits;

    /// <summary>The table source's description (the file path, or the definitions).</summary>
    public string Source => _source.Description;

    /// <summary>The remote endpoints of the connected clients.</summary>
    public IReadOnlyList<IPEndPoint> GetClients()
    {
        var result = new List<IPEndPoint>();
        foreach (var client in _clients.Values)
        {
            if (client.Remote is { } remote)
            {
                result.Add(remote);
            }
        }

        return result;
    }

    /// <summary>Loads the table, binds the listeners and starts accepting. Once only.</summary>
    /// <exception cref="AnytunException">
    /// InvalidOption (the file cannot be opened), InvalidSyncData (too large), ResolveFailed (host), AddressInUse,
    /// PermissionDenied or SocketFailed (bind).
    /// </exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, (int)ControlServerState.Starting, (int)ControlServerState.Created) != (int)ControlServerState.Created)
        {
            throw new InvalidOperationException("A control server can be started once.");
        }

        try
        {
            var table = _source.Load();
            Volatile.Write(ref _table, table);
            _tableVersion = 1;
            LogTable(table, reloaded: false);
            var addresses = await ResolveListenAddressesAsync(cancellationToken).ConfigureAwait(false);
            Bind(addresses);
        }
        catch
        {
            CloseListeners();
            RetireTable();
            Volatile.Write(ref _state, (int)ControlServerState.Stopped);
            throw;
        }

        foreach (var listener in _listeners)
        {
            _loops.Add(AcceptLoopAsync(listener));
        }

        if (_source.CanChange)
        {
            _loops.Add(WatchLoopAsync());
        }

        Volatile.Write(ref _state, (int)ControlServerState.Running);
    }

    /// <summary>Stops accepting, closes every client connection and waits (bounded) for the client tasks. Idempotent.</summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            return _stopTask ??= StopCoreAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    public override string ToString() =>
        $"control server on {string.Join(", ", LocalEndPoints)} serving {_source.Description} ({State})";

    private static string Describe(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint { Address.IsIPv4MappedToIPv6: true } mapped => new IPEndPoint(mapped.Address.MapToIPv4(), mapped.Port).ToString(),
        null => "(unknown)",
        _ => endPoint.ToString() ?? "(unknown)",
    };

    private static AnytunException BindError(IPEndPoint endPoint, SocketException exception)
    {
        var text = endPoint.ToString();
        return exception.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => new AnytunException(AnytunErrorCode.AddressInUse, $"TCP {text} is already in use by another program; the control server cannot listen there.", text, exception),
            SocketError.AccessDenied => new AnytunException(AnytunErrorCode.PermissionDenied, $"Listening on TCP {text} needs privileges (ports below 1024 need root or CAP_NET_BIND_SERVICE).", text, exception),
            _ => new AnytunException(AnytunErrorCode.SocketFailed, $"Cannot listen on TCP {text}: {exception.Message}.", text, exception),
        };
    }

    private async Task<IReadOnlyList<IPAddress>> ResolveListenAddressesAsync(CancellationToken cancellationToken)
    {
        if (_host.Length == 0)
        {
            return Socket.OSSupportsIPv6 ? new[] { IPAddress.IPv6Any, IPAddress.Any } : new[] { IPAddress.Any };
        }

        if (IPAddress.TryParse(_host, out var literal))
        {
            return new[] { literal };
        }

        try
        {
            var resolved = await Dns.GetHostAddressesAsync(_host, cancellationToken).ConfigureAwait(false);
            var distinct = resolved.Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6).Distinct().ToArray();
            if (distinct.Length == 0)
            {
                throw new AnytunException(AnytunErrorCode.ResolveFailed, $"'{_host}' has no IPv4 or IPv6 address to listen on.", _host);
            }

            return distinct;
        }
        catch (SocketException ex)
        {
            throw new AnytunException(AnytunErrorCode.ResolveFailed, $"Cannot resolve the listen address '{_host}': {ex.Message}.", _host, ex);
        }
    }

    private void Bind(IReadOnlyList<IPAddress> addresses)
    {
        var port = _port;
        var bound = new List<IPEndPoint>();
        foreach (var address in addresses)
        {
            var endPoint = new IPEndPoint(address, port);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    // As anytun: one listener per family, so the IPv6 one must not take the IPv4 port too.
                    socket.DualMode = false;
                }

                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(endPoint);
                socket.Listen(ListenBacklog);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                throw BindError(endPoint, ex);
            }

            _listeners.Add(socket);
            var local = (IPEndPoint)socket.LocalEndPoint!;
            port = local.Port; // port 0: every family on the port the first one got
            bound.Add(local);
            ControlServerLog.Listening(_logger, local.ToString());
        }

        LocalEndPoints = bound;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        var endPoint = listener.LocalEndPoint?.ToString() ?? "?";
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // EMFILE, ECONNABORTED and the like: say so and carry on, without spinning.
                ControlServerLog.AcceptFailed(_logger, endPoint, ex.Message);
                try
                {
                    await Task.Delay(AcceptRetryDelay, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            Admit(client);
        }
    }

    private void Admit(Socket socket)
    {
        var remote = socket.RemoteEndPoint as IPEndPoint;
        if (_stop.IsCancellationRequested)
        {
            socket.Dispose();
            return;
        }

        if (_clients.Count >= _limits.MaxClients)
        {
            var refused = Interlocked.Increment(ref _refused);
            var now = Environment.TickCount64;
            var last = Interlocked.Read(ref _lastRefusalLog);
            if (now - last >= (long)RefusalLogInterval.TotalMilliseconds && Interlocked.CompareExchange(ref _lastRefusalLog, now, last) == last)
            {
                ControlServerLog.ClientRefused(_logger, Describe(remote), _limits.MaxClients, refused);
            }

            socket.Dispose();
            return;
        }

        var id = Interlocked.Increment(ref _nextClientId);
        var connection = new ClientConnection(socket, remote);
        _clients[id] = connection;
        ControlServerLog.ClientConnected(_logger, Describe(remote));
        connection.Task = Task.Run(() => ServeAsync(id, connection));
    }

    private async Task ServeAsync(long id, ClientConnection connection)
    {
        var remote = Describe(connection.Remote);
        var reason = "closed by the client";
        var token = _stop.Token;
        try
        {
            using var stream = new NetworkStream(connection.Socket, ownsSocket: false);
            var sent = await SendTableAsync(stream, remote, token).ConfigureAwait(false);
            if (sent is null)
            {
                reason = "the table was not sent";
                return;
            }

            Interlocked.Increment(ref _served);
            ControlServerLog.ClientServed(_logger, remote, sent.Value);

            // Hold the connection open as controld does; read only to notice the client leaving, and discard.
            var discard = new byte[DiscardBufferSize];
            while (await stream.ReadAsync(discard, token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            reason = "server stopping";
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            reason = token.IsCancellationRequested ? "server stopping" : ex.GetBaseException().Message;
        }
        finally
        {
            _clients.TryRemove(id, out _);
            connection.Socket.Dispose();
            ControlServerLog.ClientClosed(_logger, remote, reason);
        }
    }

    /// <summary>Sends the current table within the send timeout; the number of bytes, or null if it was not sent.</summary>
    private async Task<int?> SendTableAsync(NetworkStream stream, string remote, CancellationToken stop)
    {
        var table = AcquireTable();
        if (table is null)
        {
            return null;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(_limits.SendTimeout);
        try
        {
            await stream.WriteAsync(table.Stream, deadline.Token).ConfigureAwait(false);
            return table.Length;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            ControlServerLog.ClientSendTimeout(_logger, remote, _limits.SendTimeout.TotalSeconds);
            return null;
        }
        finally
        {
            table.Release();
        }
    }

    /// <summary>The current table with a reference taken; null once the server retired its last table.</summary>
    private ControlTable? AcquireTable()
    {
        while (true)
        {
            var table = Volatile.Read(ref _table);
            if (table is null)
            {
                return null;
            }

            if (table.TryAcquire())
            {
                return table;
            }

            // Replaced and zeroed between the read and the acquire: the next read sees the new one.
            if (ReferenceEquals(table, Volatile.Read(ref _table)))
            {
                return null;
            }
        }
    }

    private async Task WatchLoopAsync()
    {
        using var timer = new PeriodicTimer(_limits.FilePollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                ReloadIfChanged();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void ReloadIfChanged()
    {
        bool changed;
        ControlTable table;
        try
        {
            changed = _source.HasChanged();
            if (!changed)
            {
                return;
            }

            table = _source.Load();
        }
        catch (Exception ex) when (ex is AnytunException or IOException or UnauthorizedAccessException)
        {
            ControlServerLog.TableReloadFailed(_logger, _source.Description, ex.Message);
            return;
        }

        lock (_gate)
        {
            if (_stopTask is not null)
            {
                table.Release();
                return;
            }

            var previous = Interlocked.Exchange(ref _table, table);
            Interlocked.Increment(ref _tableVersion);
            previous?.Release();
        }

        LogTable(table, reloaded: true);
    }

    private void LogTable(ControlTable table, bool reloaded)
    {
        if (reloaded)
        {
            ControlServerLog.TableReloaded(_logger, table.Source, table.ConnectionCount, table.RouteCount, table.Length, _clients.Count);
        }
        else
        {
            ControlServerLog.TableLoaded(_logger, table.Source, table.ConnectionCount, table.RouteCount, table.Length);
        }

        // The first few problems are enough to find the broken line; a broken file usually fails on every line after.
        foreach (var error in table.Errors.Take(3))
        {
            ControlServerLog.TableFormatWarning(_logger, table.Source, error);
        }
    }

    private async Task StopCoreAsync()
    {
        if (State is ControlServerState.Created or ControlServerState.Stopped)
        {
            Volatile.Write(ref _state, (int)ControlServerState.Stopped);
            RetireTable();
            return;
        }

        Volatile.Write(ref _state, (int)ControlServerState.Stopping);
        _stop.Cancel();
        CloseListeners();
        foreach (var client in _clients.Values)
        {
            client.Socket.Dispose();
        }

        var tasks = new List<Task>(_loops);
        foreach (var client in _clients.Values)
        {
            if (client.Task is { } task)
            {
                tasks.Add(task);
            }
        }

        var all = Task.WhenAll(tasks);
        if (await Task.WhenAny(all, Task.Delay(_limits.StopTimeout)).ConfigureAwait(false) != all)
        {
            ControlServerLog.StopTimeout(_logger, tasks.Count(t => !t.IsCompleted), (int)_limits.StopTimeout.TotalMilliseconds);
        }

        RetireTable();
        ControlServerLog.Stopped(_logger, ClientsServed, ClientsRefused);
        Volatile.Write(ref _state, (int)ControlServerState.Stopped);

        // _stop is not disposed: client tasks that outlived the deadline may still read its token.
    }

    private void CloseListeners()
    {
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }
    }

    /// <summary>The server's own reference; the bytes are zeroed once the last client sending them is done.</summary>
    private void RetireTable() => Interlocked.Exchange(ref _table, null)?.Release();

    private sealed class ClientConnection
    {
        public ClientConnection(Socket socket, IPEndPoint? remote)
        {
            Socket = socket;
            Remote = remote;
        }

        public Socket Socket { get; }

        public IPEndPoint? Remote { get; }

        public Task? Task { get; set; }
    }
}
