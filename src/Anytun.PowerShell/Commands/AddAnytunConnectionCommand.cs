using System.Management.Automation;
using Anytun.Engine;
using Anytun.Engine.Control;

namespace Anytun;

/// <summary>
/// Add-AnytunConnection: adds connections (muxes) to a running tunnel, effective at once: from parameters, or from
/// New-AnytunConnection definitions on the pipeline. The prefixes routed to it get kernel routes via the tun device.
/// </summary>
[Cmdlet(VerbsCommon.Add, "AnytunConnection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByParameters)]
[OutputType(typeof(AnytunConnection))]
public sealed class AddAnytunConnectionCommand : ConnectionParametersCmdlet
{
    private const string ByDefinition = "ByDefinition";

    [Parameter(Mandatory = true, ParameterSetName = ByParameters)]
    public ushort Mux { get; set; }

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByDefinition)]
    [ValidateNotNull]
    public AnytunConnectionDefinition[] InputObject { get; set; } = Array.Empty<AnytunConnectionDefinition>();

    protected override void ProcessRecord()
    {
        if (TunnelResolver.ResolveOne(this, TunnelName) is not { } session)
        {
            return;
        }

        if (ParameterSetName == ByParameters)
        {
            using var spec = BuildSpec(Mux, null);
            Add(session, spec);
            return;
        }

        foreach (var definition in InputObject)
        {
            if (definition.IsDisposed)
            {
                WriteError(AnytunErrors.Create(AnytunErrorCode.InvalidOption, $"The definition of connection {definition.Mux} was disposed; its key material is gone. Create it again with New-AnytunConnection.", "-InputObject"));
                continue;
            }

            using var spec = definition.ToSpec();
            Add(session, spec);
        }
    }

    private void Add(TunnelSession session, ConnectionSpec spec)
    {
        if (!ShouldProcess(ConnectionTarget(session, spec.Mux), "Add"))
        {
            return;
        }

        var control = session.Tunnel.Control;
        try
        {
            var snapshot = control.AddConnection(spec);
            if (!NoKernelRoute && spec.Routes is { Count: > 0 } routes)
            {
                WriteKernelRouteProblems(session.KernelRoutes.Install(routes));
            }

            if (PassThru)
            {
                WriteObject(ToOutput(session, snapshot));
            }
        }
        catch (AnytunException ex) when (ex.Code == AnytunErrorCode.ConnectionAlreadyExists && !IsIdentical(control, spec))
        {
            WriteError(AnytunErrors.MuxInUse(session.Name, spec.Mux, ex));
        }
        catch (AnytunException ex)
        {
            WriteEngineError(ex);
        }
    }

    private static bool IsIdentical(TunnelControl control, ConnectionSpec spec)
    {
        try
        {
            return control.HasIdenticalConnection(spec);
        }
        catch (AnytunException)
        {
            return false;
        }
    }
}
