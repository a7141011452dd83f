using Anytun.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Runtime;

/// <summary>Runs the post-up hook once the device is up: the PowerShell layer's callback if set, else anytun's -x script.
/// Never awaited by the start; a failure is logged, never fatal.</summary>
internal static class PostUpRunner
{
    public static void Run(Tunnel tunnel, Func<Tunnel, CancellationToken, Task>? callback, string? script, string deviceName, ILogger logger, CancellationToken cancellationToken)
    {
        if (callback is not null)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await callback(tunnel, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    EngineLog.PostUpCallbackFailed(logger, tunnel.Name, exception);
                }
            });
            return;
        }

        if (!string.IsNullOrEmpty(script))
        {
            PostUpScript.Start(script, deviceName, logger);
        }
    }
}
