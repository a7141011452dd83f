using System.Management.Automation;
using Anytun.Engine;

namespace Anytun;

/// <summary>
/// Set-AnytunConnection: changes a connection of a running tunnel in place, effective at once; only the settings given
/// change (counters, replay state and the send sequence stay). Declarative: already so means no change.
/// </summary>
[Cmdlet(VerbsCommon.Set, "AnytunConnection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByParameters)]
[OutputType(typeof(AnytunConnection))]
public sealed class SetAnytunConnectionCommand : ConnectionParametersCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByParameters)]
    public ushort Mux { get; set; }

    protected override void ProcessRecord()
    {
        if (TunnelResolver.ResolveOne(this, TunnelName) is not { } session)
        {
            return;
        }

        var control = session.Tunnel.Control;
        if (control.GetConnection(Mux) is not { } current)
        {
            WriteError(AnytunErrors.Create(AnytunErrorCode.ConnectionNotFound, $"tunnel '{session.Name}' has no connection {Mux}.", Mux.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return;
        }

        using var spec = BuildSpec(Mux, current.RemoteHost ?? current.RemoteEndPoint?.Address.ToString());
        if (!ShouldProcess(ConnectionTarget(session, Mux), "Set"))
        {
            return;
        }

        try
        {
            var changes = control.SetConnection(spec);
            WriteKernelRouteProblems(session.KernelRoutes.Follow(changes, install: !NoKernelRoute));
            WriteVerbose($"{ConnectionTarget(session, Mux)}: {changes}");
            if (PassThru && control.GetConnection(Mux) is { } snapshot)
            {
                WriteObject(ToOutput(session, snapshot));
            }
        }
        catch (AnytunException ex)
        {
            WriteEngineError(ex);
        }
    }
}
