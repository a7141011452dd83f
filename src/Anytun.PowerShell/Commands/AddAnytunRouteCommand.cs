using System.Management.Automation;
using Anytun.Engine;

namespace Anytun;

/// <summary>
/// Add-AnytunRoute: routes prefixes of a running tunnel to a connection (mux), effective with the next packet, and
/// adds the kernel routes via the tun device. Takes a connection from Get-AnytunConnection on the pipeline.
/// </summary>
[Cmdlet(VerbsCommon.Add, "AnytunRoute", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(AnytunRoute))]
public sealed class AddAnytunRouteCommand : NamedTunnelControlCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] DestinationPrefix { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public ushort Mux { get; set; }

    [Parameter]
    public SwitchParameter NoKernelRoute { get; set; }

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

            if (!ShouldProcess(RouteTarget(session, prefix), $"Add via connection {Mux}"))
            {
                continue;
            }

            try
            {
                var entry = control.AddRoute(prefix, Mux);
                if (control.GetConnection(Mux) is null)
                {
                    WriteWarning($"Tunnel '{session.Name}' has no connection {Mux} yet: packets to {prefix} are dropped (NoConnection) until Add-AnytunConnection adds it.");
                }

                if (!NoKernelRoute)
                {
                    WriteKernelRouteProblems(session.KernelRoutes.Install(new[] { prefix }));
                }

                if (PassThru)
                {
                    WriteObject(ToOutput(session, entry));
                }
            }
            catch (AnytunException ex)
            {
                WriteEngineError(ex);
            }
        }
    }
}
