namespace Anytun;

/// <summary>
/// What a started tunnel and a started control server share: a name, a stop that runs once, and the two ways their
/// owner stops them (through their job, or by waking the cmdlet that waits with -Wait).
/// </summary>
internal abstract class StoppableSession : IRegisteredSession
{
    private readonly CancellationTokenSource _stopRequested = new();
    private readonly object _gate = new();
    private Task? _stopTask;

    private protected StoppableSession(string name)
    {
        Name = name;
    }

    public string Name { get; }

    /// <summary>Cancelled when someone asks a foreground (-Wait) session to stop.</summary>
    internal CancellationToken StopRequested => _stopRequested.Token;

    /// <summary>The job running this session; null for -Wait.</summary>
    private protected abstract AnytunJob? OwningJob { get; }

    /// <summary>Stops the session the way its owner expects: through its job, or by waking the -Wait cmdlet.</summary>
    public Task RequestStopAsync()
    {
        var job = OwningJob;
        if (job is not null)
        {
            return Task.Run(job.StopJob);
        }

        try
        {
            _stopRequested.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped.
        }

        return StopAsync();
    }

    /// <summary>Stops the engine part (once), then forgets the session.</summary>
    internal Task StopAsync()
    {
        lock (_gate)
        {
            return _stopTask ??= StopCoreAsync();
        }
    }

    private protected abstract Task StopCoreAsync();
}
