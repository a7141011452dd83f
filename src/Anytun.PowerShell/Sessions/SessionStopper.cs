using System.Management.Automation;

namespace Anytun;

/// <summary>The stop step the Stop-* cmdlets share: ShouldProcess, then a bounded wait for the session to stop.</summary>
internal static class SessionStopper
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Stops <paramref name="session"/> (described as <paramref name="what"/>, e.g. "tunnel 'lab'") unless -WhatIf or
    /// the user declined; true once it stopped. A stop that outlasts the timeout is a warning, a failure an error.
    /// </summary>
    internal static bool Stop(Cmdlet cmdlet, IRegisteredSession session, string what, CancellationToken cancellationToken)
    {
        if (!cmdlet.ShouldProcess(what, "Stop"))
        {
            return false;
        }

        try
        {
            if (!session.RequestStopAsync().Wait(StopTimeout, cancellationToken))
            {
                cmdlet.WriteWarning($"{char.ToUpperInvariant(what[0])}{what[1..]} did not stop within {StopTimeout.TotalSeconds} s.");
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (AggregateException ex)
        {
            cmdlet.WriteError(AnytunErrors.FromAny(ex, session.Name));
            return false;
        }

        return true;
    }
}
