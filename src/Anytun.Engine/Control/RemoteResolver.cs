using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Logging;
using Anytun.Engine.Transport;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Control;

/// <summary>Resolves a configured remote host name in the background, as anytun's -r does: on failure it logs and retries
/// every 10 s until it succeeds or is cancelled (connection removed, tunnel stopped).</summary>
internal static class RemoteResolver
{
    /// <summary>anytun's retry interval (tests shorten it).</summary>
    internal static TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    public static async Task ResolveWithRetryAsync(
        RemoteHost remote,
        AddressFamilyPreference family,
        Action<IPEndPoint> resolved,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var endPoint = await EndpointResolver.ResolveRemoteAsync(remote.Host, remote.Port, family, cancellationToken).ConfigureAwait(false);
                resolved(endPoint);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception exception)
            {
                EngineLog.ResolveFailed(logger, remote.Host, remote.Port, exception.Message);
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
