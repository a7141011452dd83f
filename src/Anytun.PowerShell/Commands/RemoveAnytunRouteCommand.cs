using System.Management.Automation;
using Anytun.Engine;

namespace Anytun;

/// <summary>
/// Remove-AnytunRoute: removes routes of a running tunnel (they stop matching with the next packet) and the kernel
/// routes this module added for them. Takes routes from Get-AnytunRoute on the pipeline.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "AnytunRoute", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(AnytunRoute))]
public sealed class RemoveAnytunRouteCommand : NamedTunnelControlCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] DestinationPrefix { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (TunnelResolver.ResolveOne(this, TunnelName) is not { } session)
        {
            return;
        }

        var control = session.Tunnel.Control;
        foreach (var text in DestinationPrefix)
        {
            if (PrefixParameters.TryParse(text, nameof(DestinationPrefix), out var error) is not { } prefix)
            {
                WriteError(error!);
                continue;
            }

            if (!ShouldProcess(RouteTarget(session, prefix), "Remove"))
            {
                continue;
            }

            try
            {
                var output = control.GetRoutes().FirstOrDefault(r => r.Prefix == prefix) is { } existing ? ToOutput(session, existing) : null;
                control.RemoveRoute(prefix);
                WriteKernelRouteProblems(session.KernelRoutes.Uninstall(new[] { prefix }));
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
