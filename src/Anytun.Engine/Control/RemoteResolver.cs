using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Logging;
using Anytun.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Control;

/// <summary>
/// Resolves configured remote host names in the background, as anytun's -r does: on failure it logs and retries every
/// 10 s until it succeeds or is cancelled (the connection was removed or got another remote, the tunnel stopped).
/// At most one resolution per connection. Not thread-safe: the control surface's lock serialises the calls.
/// </summary>
internal sealed class RemoteResolver
{
    private readonly Dictionary<Connection, CancellationTokenSource> _running = new();
    private readonly AddressFamilyPreference _family;
    private readonly ILogger _logger;

    public RemoteResolver(AddressFamilyPreference family, ILogger logger)
    {
        _family = family;
        _logger = logger;
    }

    /// <summary>anytun's retry interval (tests shorten it).</summary>
    internal static TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Starts resolving <paramref name="remote"/> for <paramref name="connection"/>, replacing a running one.
    /// <paramref name="resolved"/> runs on the thread pool (it takes the control surface's lock itself);
    /// <paramref name="firstAttempt"/> hears once how the first attempt went (null = resolved or cancelled).</summary>
    public void Start(Connection connection, RemoteHost remote, Action<Connection, RemoteHost, IPEndPoint> resolved, Action<Exception?>? firstAttempt = null)
    {
        Cancel(connection);
        var cancel = new CancellationTokenSource();
        _running[connection] = cancel;
        _ = ResolveWithRetryAsync(remote, endPoint => resolved(connection, remote, endPoint), firstAttempt, cancel.Token);
    }

    /// <summary>The resolution of <paramref name="connection"/> delivered its result.</summary>
    public void Finished(Connection connection)
    {
        if (_running.Remove(connection, out var cancel))
        {
            cancel.Dispose();
        }
    }

    public void Cancel(Connection connection)
    {
        if (_running.Remove(connection, out var cancel))
        {
            cancel.Cancel();
            cancel.Dispose();
        }
    }

    public void CancelAll()
    {
        foreach (var cancel in _running.Values)
        {
            cancel.Cancel();
            cancel.Dispose();
        }

        _running.Clear();
    }

    private async Task ResolveWithRetryAsync(RemoteHost remote, Action<IPEndPoint> resolved, Action<Exception?>? firstAttempt, CancellationToken cancellationToken)
    {
        for (var attempt = 1; !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var endPoint = await EndpointResolver.ResolveRemoteAsync(remote.Host, remote.Port, _family, cancellationToken).ConfigureAwait(false);
                if (attempt > 1)
                {
                    EngineLog.ResolvedAfterRetries(_logger, remote.Host, attempt);
                }

                resolved(endPoint);
                firstAttempt?.Invoke(null);
                return;
            }
            catch (OperationCanceledException)
            {
                firstAttempt?.Invoke(null);
                return;
            }
            catch (Exception exception)
            {
                // Warn once (a typo in -r should be seen), then keep retrying quietly as anytun does.
                if (attempt == 1)
                {
                    EngineLog.ResolveFailed(_logger, remote.Host, exception.Message, (int)RetryInterval.TotalSeconds);
                    firstAttempt?.Invoke(exception);
                    firstAttempt = null;
                }
                else
                {
                    EngineLog.ResolveStillFailing(_logger, remote.Host, attempt, exception.Message);
                }
            }

            try
            {
                await Task.Delay(RetryInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
