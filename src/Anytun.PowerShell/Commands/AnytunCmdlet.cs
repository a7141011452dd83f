using System.Management.Automation;
using Microsoft.Extensions.Logging;

namespace Anytun;

/// <summary>
/// Base of every Anytun cmdlet: a cancellation token tied to Ctrl+C (StopProcessing) and the error helpers
/// that route every failure through <see cref="AnytunErrors"/>.
/// </summary>
public abstract class AnytunCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private bool _disposed;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        DisposeResources();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override void StopProcessing()
    {
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The cmdlet already finished.
        }
    }

    /// <summary>Releases what a derived cmdlet holds (signal registrations, queues).</summary>
    protected virtual void DisposeResources()
    {
    }

    /// <summary>Non-terminating error for one pipeline item.</summary>
    protected void WriteAnytunError(Exception exception, object? target) =>
        WriteError(AnytunErrors.FromAny(exception, target));

    /// <summary>Terminating error: the command cannot go on.</summary>
    protected void ThrowAnytunError(Exception exception, object? target) =>
        ThrowTerminatingError(AnytunErrors.FromAny(exception, target));

    /// <summary>
    /// Minimum engine log level of a tunnel's log: Information (up/down, peers learned and roaming, drop summaries; the
    /// engine logs nothing per packet above Trace), or Debug with -Debug / $DebugPreference. -Verbose is left to the
    /// cmdlet's own messages.
    /// </summary>
    protected LogLevel GetMinimumLogLevel() =>
        IsPreferenceOn("Debug", "DebugPreference") ? LogLevel.Debug : LogLevel.Information;

    private bool IsPreferenceOn(string switchName, string preferenceVariable)
    {
        if (MyInvocation.BoundParameters.TryGetValue(switchName, out var bound))
        {
            return bound is SwitchParameter { IsPresent: true } || (bound is bool flag && flag);
        }

        var value = GetVariableValue(preferenceVariable);
        if (value is PSObject wrapped)
        {
            value = wrapped.BaseObject;
        }

        return value is ActionPreference preference && preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;
    }
}
