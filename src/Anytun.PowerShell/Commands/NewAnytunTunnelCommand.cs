using System.Management.Automation;

namespace Anytun;

/// <summary>New-AnytunTunnel: describes a tunnel (validated, not started); pipe it to Start-AnytunTunnel.</summary>
[Cmdlet(VerbsCommon.New, "AnytunTunnel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    DefaultParameterSetName = ByParameters)]
[OutputType(typeof(AnytunTunnelDefinition))]
public sealed class NewAnytunTunnelCommand : TunnelParametersCmdlet
{
    /// <summary>Name the tunnel gets when the definition is started.</summary>
    [Parameter(ParameterSetName = ByParameters)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    protected override string? DefinitionName => Name;

    protected override void ProcessRecord()
    {
        var definition = BuildDefinitionFromParameters();
        foreach (var warning in definition.Warnings)
        {
            WriteWarning(warning);
        }

        var target = definition.Name is null ? "unnamed tunnel definition" : $"tunnel definition '{definition.Name}'";
        if (ShouldProcess(target, "Create"))
        {
            WriteObject(definition);
        }
        else
        {
            definition.Options.Dispose();
        }
    }
}
