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
    private static readonly TimeSpan FaultStopTimeout = TimeSpan.FromSeconds(10);

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

    private protected override string WorkKind => "Tunnel";

    private protected override string StartCommand => "Start-AnytunTunnel";

    private protected override bool HasWork => _session is not null;

    /// <summary>Connects the started engine tunnel to this job.</summary>
    internal void Attach(TunnelSession session)
    {
        _session = session;
        session.Job = this;
        session.Faulted += OnFaulted;
    }

    private protected override Task StopWorkAsync() => _session!.StopAsync();

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
                session.StopAsync().Wait(FaultStopTimeout);
            }
            catch (AggregateException)
            {
                // The fault above is the error that matters.
            }

            Finish(JobState.Failed);
        }
    }
}
