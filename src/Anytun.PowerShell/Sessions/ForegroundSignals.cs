using System.Runtime.InteropServices;

namespace Anytun;

/// <summary>
/// SIGTERM (systemd, docker stop) and SIGINT outside a console for a cmdlet that runs something in the foreground
/// (-Wait): the signal cancels <see cref="Token"/> so the cmdlet stops cleanly instead of the process dying mid-work.
/// While registered, the signals no longer terminate pwsh; dispose when the cmdlet ends.
/// </summary>
internal sealed class ForegroundSignals : IDisposable
{
    private readonly CancellationTokenSource _signalled = new();
    private PosixSignalRegistration? _sigterm;
    private PosixSignalRegistration? _sigint;
    private volatile string? _signalName;

    /// <summary>Cancelled when a signal arrived.</summary>
    internal CancellationToken Token => _signalled.Token;

    /// <summary>"SIGTERM" or "SIGINT" once one arrived.</summary>
    internal string? SignalName => _signalName;

    /// <summary>Starts listening (once).</summary>
    internal void Register()
    {
        if (_sigterm is not null)
        {
            return;
        }

        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    public void Dispose()
    {
        _sigterm?.Dispose();
        _sigint?.Dispose();
        _signalled.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _signalName = context.Signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";
        try
        {
            _signalled.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The cmdlet already finished.
        }
    }
}
