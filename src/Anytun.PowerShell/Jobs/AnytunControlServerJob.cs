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

    private protected override string WorkKind => "Control server";

    private protected override string StartCommand => "Start-AnytunControlServer";

    private protected override bool HasWork => _session is not null;

    /// <summary>Connects the started server to this job.</summary>
    internal void Attach(ControlServerSession session)
    {
        _session = session;
        session.Job = this;
    }

    private protected override Task StopWorkAsync() => _session!.StopAsync();
}
