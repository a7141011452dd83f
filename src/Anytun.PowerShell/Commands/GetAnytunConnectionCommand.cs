using System.Management.Automation;

namespace Anytun;

/// <summary>Get-AnytunConnection: per-connection counters (packets, bytes, drops by reason) of running tunnels.</summary>
[Cmdlet(VerbsCommon.Get, "AnytunConnection", DefaultParameterSetName = ByTunnelName)]
[OutputType(typeof(AnytunConnection))]
public sealed class GetAnytunConnectionCommand : TunnelControlCmdlet
{
    private const string ByTunnelName = "ByTunnelName";
    private const string ByInputObject = "ByInputObject";

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByTunnelName)]
    [Alias("Name")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    public string[]? TunnelName { get; set; }

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByInputObject)]
    [ValidateNotNull]
    public AnytunTunnel[] InputObject { get; set; } = Array.Empty<AnytunTunnel>();

    /// <summary>Only these multiplex ids.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public ushort[]? Mux { get; set; }

    protected override void ProcessRecord()
    {
        var inputObjects = ParameterSetName == ByInputObject ? InputObject : null;
        foreach (var session in TunnelResolver.Resolve(this, TunnelName, inputObjects))
        {
            WriteConnections(session);
        }
    }

    private void WriteConnections(TunnelSession session)
    {
        foreach (var snapshot in session.Tunnel.Control.GetConnections())
        {
            if (Mux is null || Array.IndexOf(Mux, snapshot.Mux) >= 0)
            {
                WriteObject(ToOutput(session, snapshot));
            }
        }
    }
}
