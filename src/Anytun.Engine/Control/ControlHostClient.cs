using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Configuration;
using Anytun.Engine.Logging;
using Anytun.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Control;

/// <summary>
/// anytun's sync client for <c>-X host[:port]</c> (spec §1.1, §3): connects over TCP to anytun-controld (or any sync
/// server), reads the framed commands with the bounded reader and applies them to the tunnel's tables
/// (<see cref="TunnelControl.ApplySyncCommands"/>). It never writes to the socket. After a failure, a closed connection
/// or bad data it waits <see cref="RetryInterval"/> (10 s, as anytun) and starts again; every reconnect fetches the
/// table again and merges it. Runs on the thread pool and never throws: a failure is a log line, the tunnel's packet
/// threads are never involved.
/// </summary>
internal sealed class ControlHostClient
{
    /// <summary>anytun's retry interval (syncClient.cpp: 10000 ms).</summary>
    public static readonly TimeSpan DefaultRetryInterval = TimeSpan.FromSeconds(10);

    // Commands applied in one TunnelControl call (one lock, one route-table rebuild) at most.
    private const int MaxBatch = 512;

    private readonly SyncPeerAddress _address;
    private readonly string _hostText;
    private readonly TunnelControl _control;
    private readonly AddressFamilyPreference _family;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _sessions;
    private long _failures;

    public ControlHostClient(SyncPeerAddress address, TunnelControl control, AddressFamilyPreference family, ILogger logger)
    {
        _address = address;
        _hostText = address.ToString();
        _control = control;
        _family = family;
        _logger = logger;
    }

    /// <summary>Wait between a failure or disconnect and the next attempt.</summary>
    public TimeSpan RetryInterval { get; init; } = DefaultRetryInterval;

    /// <summary>Limit for one TCP connect attempt.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections made so far (tests and diagnostics).</summary>
    public long Sessions => Interlocked.Read(ref _sessions);

    /// <summary>Sessions or attempts that ended in an error, a close or bad data.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Starts the connect/read/retry loop.</summary>
    public void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>Stops the loop (closes the connection) and waits at most <paramref name="deadline"/>.</summary>
    public async Task StopAsync(TimeSpan deadline)
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        if (_loop is not { } loop)
        {
            return;
        }

        try
        {
            await loop.WaitAsync(deadline).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            ControlHostLog.StopTimeout(_logger, _hostText, (int)deadline.TotalMilliseconds);
        }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        var unreachableLogged = false;
        try
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    using var socket = await ConnectAsync(token).ConfigureAwait(false);
                    unreachableLogged = false;
                    Interlocked.Increment(ref _sessions);
                    ControlHostLog.Connected(_logger, _hostText, socket.RemoteEndPoint?.ToString() ?? "?");
                    var lost = await ReadSessionAsync(socket, token).ConfigureAwait(false);
                    if (lost is not null && !token.IsCancellationRequested)
                    {
                        ControlHostLog.Lost(_logger, _hostText, lost, (int)RetryInterval.TotalSeconds);
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (AnytunException exception) when (exception.Code == AnytunErrorCode.TunnelStopped)
                {
                    return;
                }
                catch (Exception exception) when (exception is SocketException or IOException or TimeoutException or ObjectDisposedException)
                {
                    if (token.IsCancellationRequested)
                    {
                        return;
                    }

                    if (!unreachableLogged)
                    {
                        ControlHostLog.Unreachable(_logger, _hostText, exception.Message, (int)RetryInterval.TotalSeconds);
                        unreachableLogged = true;
                    }
                    else
                    {
                        ControlHostLog.StillUnreachable(_logger, _hostText, exception.Message);
                    }
                }

                Interlocked.Increment(ref _failures);
                await Task.Delay(RetryInterval, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            // A bug must not take the tunnel down; it keeps forwarding with the tables it has.
            ControlHostLog.ClientFailed(_logger, _hostText, exception);
        }
    }

    /// <summary>anytun: resolve, then try each address in order until one connects.</summary>
    private async Task<Socket> ConnectAsync(CancellationToken token)
    {
        IPAddress[] addresses = IPAddress.TryParse(_address.Host, out var literal)
            ? new[] { literal }
            : await Dns.GetHostAddressesAsync(_address.Host, token).ConfigureAwait(false);
        Exception? last = null;
        foreach (var address in addresses)
        {
            if (!Allowed(address.AddressFamily))
            {
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
                attempt.CancelAfter(ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, _address.Port), attempt.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    throw new TimeoutException($"no answer from {new IPEndPoint(address, _address.Port)} within {ConnectTimeout.TotalSeconds:0} s");
                }

                return socket;
            }
            catch (Exception exception) when (exception is SocketException or TimeoutException)
            {
                socket.Dispose();
                last = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Reads and applies commands until the stream ends or fails; returns why the session ended, or null when
    /// it ended on bad data (already logged).</summary>
    private async Task<string?> ReadSessionAsync(Socket socket, CancellationToken token)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new SyncStreamReader(stream, leaveOpen: true);
        using var closeOnStop = token.Register(static s => ((Socket)s!).Dispose(), socket);
        var batch = new List<SyncMessage>();
        try
        {
            while (true)
            {
                var message = await reader.ReadMessageAsync(token).ConfigureAwait(false);
                if (message is null)
                {
                    return ApplyBatch(batch) ? "input stream error: the control host closed the connection" : null;
                }

                switch (message.Kind)
                {
                    case SyncMessageKind.Command:
                        batch.Add(message);
                        break;
                    case SyncMessageKind.Ignored:
                        ControlHostLog.IgnoredFrame(_logger, _hostText, message.Offset, message.Note ?? "ignored");
                        break;
                    default:
                        // Commands before the bad frame stay applied (anytun applies field by field).
                        if (!ApplyBatch(batch))
                        {
                            return null;
                        }

                        var error = message.Error!;
                        if (error.Kind == SyncErrorKind.StreamError)
                        {
                            return error.Detail;
                        }

                        ControlHostLog.BadData(_logger, _hostText, error.Message, (int)RetryInterval.TotalSeconds);
                        return null;
                }

                if ((batch.Count >= MaxBatch || !stream.DataAvailable) && !ApplyBatch(batch))
                {
                    return null;
                }
            }
        }
        finally
        {
            foreach (var pending in batch)
            {
                pending.Dispose();
            }
        }
    }

    /// <summary>Applies and disposes the batch; false (logged) when the tables refused it.</summary>
    private bool ApplyBatch(List<SyncMessage> batch)
    {
        if (batch.Count == 0)
        {
            return true;
        }

        var commands = new SyncCommand[batch.Count];
        for (var i = 0; i < commands.Length; i++)
        {
            commands[i] = batch[i].Command!;
        }

        try
        {
            var changes = _control.ApplySyncCommands(commands, EntryOrigin.ControlHost, "control host " + _hostText);
            ControlHostLog.Applied(_logger, _hostText, commands.Length, changes.ToString());
            return true;
        }
        catch (AnytunException exception) when (exception.Code == AnytunErrorCode.InvalidSyncData)
        {
            ControlHostLog.BadData(_logger, _hostText, exception.Message, (int)RetryInterval.TotalSeconds);
            return false;
        }
        finally
        {
            foreach (var message in batch)
            {
                message.Dispose();
            }

            batch.Clear();
        }
    }

    private bool Allowed(AddressFamily family) => _family switch
    {
        AddressFamilyPreference.IPv4Only => family == AddressFamily.InterNetwork,
        AddressFamilyPreference.IPv6Only => family == AddressFamily.InterNetworkV6,
        _ => family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6,
    };
}
