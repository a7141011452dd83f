using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Stop-AnytunControlServer: stops control servers by name (wildcards) or object: the listeners close, every
/// client connection is closed (anytun -X clients then retry every 10 s), and the server's job ends as Stopped.
/// Without a name or input it stops nothing and says so; -Name * stops every server.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "AnytunControlServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ByName)]
[OutputType(typeof(AnytunControlServer))]
public sealed class StopAnytunControlServerCommand : AnytunCmdlet
{
    private const string ByName = "ByName";
    private const string ByInputObject = "ByInputObject";

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ControlServerNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByInputObject)]
    [ValidateNotNull]
    public AnytunControlServer[] InputObject { get; set; } = Array.Empty<AnytunControlServer>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByName && Name is null)
        {
            ThrowTerminatingError(ControlPlaneErrors.ControlServerNotSpecified());
        }

        var inputObjects = ParameterSetName == ByInputObject ? InputObject : null;
        foreach (var session in ControlServerResolver.Resolve(this, Name, inputObjects))
        {
            Stop(session);
        }
    }

    private void Stop(ControlServerSession session)
    {
        if (!SessionStopper.Stop(this, session, $"control server '{session.Name}'", StopToken))
        {
            return;
        }

        if (PassThru)
        {
            WriteObject(session.ToOutput());
        }
    }
}
