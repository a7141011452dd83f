using System.Management.Automation;

namespace Anytun;

/// <summary>
/// A running control server as a PowerShell job (PSJobTypeName 'AnytunControlServer'): Receive-Job returns its log
/// records (clients connecting, table re-reads), Stop-Job or Stop-AnytunControlServer stops it. Running once it
/// listens.
/// </summary>
public sealed class AnytunControlServerJob : AnytunJob
{
    internal const string JobTypeName = "AnytunControlServer";
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private ControlServerSession? _session;

    internal AnytunControlServerJob(AnytunTunnelJobSourceAdapter adapter, string command, string name)
        : base(adapter, command, name, JobTypeName)
    {
    }

    /// <summary>A current view of the server; null before it was attached.</summary>
    public AnytunControlServer? ControlServer => _session?.ToOutput();

    public override string StatusMessage
    {
        get
        {
            var session = _session;
            var state = session is null ? "not started" : $"{session.Server.State}, {session.Server.ClientCount} client(s)";
            var dropped = DroppedRecordCount;
            return dropped == 0 ? state : $"{state}; {dropped} log records dropped";
        }
    }

    private protected override string StopHint => "use Stop-Job or Stop-AnytunControlServer";

    /// <summary>Marks the job Running; the cmdlet calls it once the server listens.</summary>
    public override void StartJob()
    {
        lock (StateGate)
        {
            if (_session is null)
            {
                throw new InvalidOperationException("The control server job has no server; start servers with Start-AnytunControlServer.");
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
            if (_session is { } session)
            {
                try
                {
                    if (!session.StopAsync().Wait(StopTimeout))
                    {
                        Writer.WriteWarning($"Control server '{Name}' did not stop within {StopTimeout.TotalSeconds} s.");
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

    /// <summary>Connects the started server to this job.</summary>
    internal void Attach(ControlServerSession session)
    {
        _session = session;
        session.Job = this;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !IsFinal(JobStateInfo.State) && _session is not null)
        {
            // Remove-Job -Force on a running server.
            StopJob();
        }

        base.Dispose(disposing);
    }
}
