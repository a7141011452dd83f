using System.Management.Automation;
using Anytun.Engine;

namespace Anytun;

/// <summary>
/// Remove-AnytunConnection: removes connections from a running tunnel, with the routes (and kernel routes) that
/// point at them; their keys are zeroed. Takes connections from Get-AnytunConnection on the pipeline.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "AnytunConnection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(AnytunConnection))]
public sealed class RemoveAnytunConnectionCommand : NamedTunnelControlCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public ushort[] Mux { get; set; } = Array.Empty<ushort>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (TunnelResolver.ResolveOne(this, TunnelName) is not { } session)
        {
            return;
        }

        var control = session.Tunnel.Control;
        foreach (var mux in Mux)
        {
            var before = control.GetConnection(mux);
            var output = before is null ? null : ToOutput(session, before);
            if (before is not null && !ShouldProcess(ConnectionTarget(session, mux), "Remove"))
            {
                continue;
            }

            try
            {
                var changes = control.RemoveConnection(mux);
                WriteKernelRouteProblems(session.KernelRoutes.Follow(changes, install: false));
                if (PassThru && output is not null)
                {
                    WriteObject(output);
                }
            }
            catch (AnytunException ex)
            {
                WriteEngineError(ex);
            }
        }
    }
}
