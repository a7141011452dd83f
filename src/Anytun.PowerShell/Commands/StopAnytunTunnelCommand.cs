using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Stop-AnytunTunnel: stops tunnels by name (wildcards) or object; their jobs end as Stopped. Without a name or input
/// it stops nothing and says so (an error, never a prompt: scripts must not hang); -Name * stops every tunnel.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "AnytunTunnel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ByName)]
[OutputType(typeof(AnytunTunnel))]
public sealed class StopAnytunTunnelCommand : AnytunCmdlet
{
    private const string ByName = "ByName";
    private const string ByInputObject = "ByInputObject";

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByInputObject)]
    [ValidateNotNull]
    public AnytunTunnel[] InputObject { get; set; } = Array.Empty<AnytunTunnel>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByName && Name is null)
        {
            // Nothing named and nothing piped (an empty pipeline never gets here): stopping everything by accident
            // would be worse than an error.
            ThrowTerminatingError(AnytunErrors.TunnelNotSpecified());
        }

        var inputObjects = ParameterSetName == ByInputObject ? InputObject : null;
        foreach (var session in TunnelResolver.Resolve(this, Name, inputObjects))
        {
            Stop(session);
        }
    }

    private void Stop(TunnelSession session)
    {
        if (!SessionStopper.Stop(this, session, $"tunnel '{session.Name}'", StopToken))
        {
            return;
        }

        if (PassThru)
        {
            WriteObject(session.ToOutput());
        }
    }
}
