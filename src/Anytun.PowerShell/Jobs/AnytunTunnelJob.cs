using System.ComponentModel;
using System.Management.Automation;

namespace Anytun;

/// <summary>
/// A running tunnel as a PowerShell job (PSJobTypeName 'AnytunTunnel'): Get-Job lists it, Receive-Job returns its
/// log records, Stop-Job stops the tunnel, Remove-Job forgets it. Running only once the tunnel is up;
/// Failed (with an ErrorRecord first) when the engine faults.
/// </summary>
public sealed class AnytunTunnelJob : Job2
{
    internal const string JobTypeName = "AnytunTunnel";
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly AnytunTunnelJobSourceAdapter _adapter;
    private readonly JobStreamWriter _writer;
    private readonly object _stateGate = new();
    private TunnelSession? _session;

    internal AnytunTunnelJob(AnytunTunnelJobSourceAdapter adapter, string command, string name)
        : base(command, name)
    {
        _adapter = adapter;
        PSJobTypeName = JobTypeName;
        _writer = new JobStreamWriter(this);
    }

    /// <summary>Name of the tunnel this job runs.</summary>
    public string TunnelName => Name;

    /// <summary>Log records dropped because a stream held too many unread records.</summary>
    public long DroppedRecordCount => _writer.DroppedRecords;

    /// <summary>A current view of the tunnel; null before it was attached.</summary>
    public AnytunTunnel? Tunnel => _session?.ToOutput();

    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 ||
        Debug.Count > 0 || Information.Count > 0 || Progress.Count > 0;

    public override string Location => "localhost";

    public override string StatusMessage
    {
        get
        {
            var session = _session;
            var state = session is null ? "not started" : session.Tunnel.State.ToString();
            var dropped = _writer.DroppedRecords;
            return dropped == 0 ? state : $"{state}; {dropped} log records dropped";
        }
    }

    internal ITunnelStreamWriter Writer => _writer;

    /// <summary>Marks the job Running; the cmdlet calls it once the tunnel is up.</summary>
    public override void StartJob()
    {
        lock (_stateGate)
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

    public override void StartJobAsync()
    {
        StartJob();
        OnStartJobCompleted(new AsyncCompletedEventArgs(null, false, null));
    }

    public override void StopJob() => StopJob(false, null);

    public override void StopJob(bool force, string? reason)
    {
        lock (_stateGate)
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
                        _writer.WriteWarning($"Tunnel '{Name}' did not stop within {StopTimeout.TotalSeconds} s; its threads are abandoned.");
                    }
                }
                catch (AggregateException ex)
                {
                    _writer.WriteError(AnytunErrors.FromAny(ex, Name));
                }
            }

            _writer.Close();
            SetJobState(JobState.Stopped);
        }
    }

    public override void StopJobAsync() => StopJobAsync(false, null);

    public override void StopJobAsync(bool force, string? reason)
    {
        // Stop-Job waits for StopJobCompleted; raise it even if stopping failed, or Stop-Job hangs.
        Task.Run(() =>
        {
            Exception? error = null;
            try
            {
                StopJob(force, reason);
            }
            catch (Exception ex)
            {
                error = ex;
            }

            OnStopJobCompleted(new AsyncCompletedEventArgs(error, false, null));
        });
    }

    public override void SuspendJob() => throw NotSupported();

    public override void SuspendJobAsync() => throw NotSupported();

    public override void SuspendJob(bool force, string? reason) => throw NotSupported();

    public override void SuspendJobAsync(bool force, string? reason) => throw NotSupported();

    public override void ResumeJob() => throw NotSupported();

    public override void ResumeJobAsync() => throw NotSupported();

    public override void UnblockJob() => throw NotSupported();

    public override void UnblockJobAsync() => throw NotSupported();

    /// <summary>Connects the started engine tunnel to this job.</summary>
    internal void Attach(TunnelSession session)
    {
        _session = session;
        session.Job = this;
        session.Faulted += OnFaulted;
    }

    /// <summary>The tunnel never came up: forget the job without a trace (it was never Running).</summary>
    internal void Discard()
    {
        _writer.Close();
        _adapter.RemoveJob(this);
        Dispose();
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

    private static bool IsFinal(JobState state) =>
        state is JobState.Completed or JobState.Failed or JobState.Stopped;

    private static NotSupportedException NotSupported() =>
        new("Anytun tunnel jobs cannot be suspended, resumed or unblocked; use Stop-Job or Stop-AnytunTunnel.");

    private void OnFaulted(TunnelSession session, Exception? fault)
    {
        lock (_stateGate)
        {
            if (IsFinal(JobStateInfo.State) || JobStateInfo.State == JobState.Stopping)
            {
                return;
            }

            var exception = fault ?? new InvalidOperationException($"Tunnel '{Name}' failed.");
            _writer.WriteError(AnytunErrors.FromAny(exception, Name));
            try
            {
                session.StopAsync().Wait(StopTimeout);
            }
            catch (AggregateException)
            {
                // The fault above is the error that matters.
            }

            _writer.Close();
            SetJobState(JobState.Failed);
        }
    }
}
