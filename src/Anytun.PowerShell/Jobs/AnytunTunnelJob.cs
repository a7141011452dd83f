using System.Management.Automation;

namespace Anytun;

/// <summary>
/// A running tunnel as a PowerShell job (PSJobTypeName 'AnytunTunnel'): Get-Job lists it, Receive-Job returns its
/// log records, Stop-Job stops the tunnel, Remove-Job forgets it. Running only once the tunnel is up;
/// Failed (with an ErrorRecord first) when the engine faults.
/// </summary>
public sealed class AnytunTunnelJob : AnytunJob
{
    internal const string JobTypeName = "AnytunTunnel";
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private TunnelSession? _session;

    internal AnytunTunnelJob(AnytunTunnelJobSourceAdapter adapter, string command, string name)
        : base(adapter, command, name, JobTypeName)
    {
    }

    /// <summary>Name of the tunnel this job runs.</summary>
    public string TunnelName => Name;

    /// <summary>A current view of the tunnel; null before it was attached.</summary>
    public AnytunTunnel? Tunnel => _session?.ToOutput();

    public override string StatusMessage
    {
        get
        {
            var session = _session;
            var state = session is null ? "not started" : session.Tunnel.State.ToString();
            var dropped = DroppedRecordCount;
            return dropped == 0 ? state : $"{state}; {dropped} log records dropped";
        }
    }

    private protected override string StopHint => "use Stop-Job or Stop-AnytunTunnel";

    /// <summary>Marks the job Running; the cmdlet calls it once the tunnel is up.</summary>
    public override void StartJob()
    {
        lock (StateGate)
        {
            if (_session is null)
            {
                throw new InvalidOperationException("The tunnel job has no tunnel; start tunnels with Start-AnytunTunnel.");
            }

            if (JobStateInfo.State == JobState.NotStarted)
            {
                SetJobState(JobState.Running);
            }
        }
    }

    public override void StopJob(bool force, string? reason)
    {
        lock (StateGate)
        {
            if (IsFinal(JobStateInfo.State))
            {
                return;
            }

            SetJobState(JobState.Stopping);
            var session = _session;
            if (session is not null)
            {
                try
                {
                    if (!session.StopAsync().Wait(StopTimeout))
                    {
                        Writer.WriteWarning($"Tunnel '{Name}' did not stop within {StopTimeout.TotalSeconds} s; its threads are abandoned.");
                    }
                }
                catch (AggregateException ex)
                {
                    Writer.WriteError(AnytunErrors.FromAny(ex, Name));
                }
            }

            Finish(JobState.Stopped);
        }
    }

    /// <summary>Connects the started engine tunnel to this job.</summary>
    internal void Attach(TunnelSession session)
    {
        _session = session;
        session.Job = this;
        session.Faulted += OnFaulted;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !IsFinal(JobStateInfo.State) && _session is not null)
        {
            // Remove-Job -Force on a running tunnel; never joins the calling thread (see StopJob).
            StopJob();
        }

        base.Dispose(disposing);
    }

    private void OnFaulted(TunnelSession session, Exception? fault)
    {
        lock (StateGate)
        {
            if (IsFinal(JobStateInfo.State) || JobStateInfo.State == JobState.Stopping)
            {
                return;
            }

            var exception = fault ?? new InvalidOperationException($"Tunnel '{Name}' failed.");
            Writer.WriteError(AnytunErrors.FromAny(exception, Name));
            try
            {
                session.StopAsync().Wait(StopTimeout);
            }
            catch (AggregateException)
            {
                // The fault above is the error that matters.
            }

            Finish(JobState.Failed);
        }
    }
}
