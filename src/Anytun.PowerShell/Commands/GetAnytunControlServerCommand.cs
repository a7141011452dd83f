using System.Management.Automation;

namespace Anytun;

/// <summary>Get-AnytunControlServer: the control servers started in this process (all, or by name with wildcards).</summary>
[Cmdlet(VerbsCommon.Get, "AnytunControlServer")]
[OutputType(typeof(AnytunControlServer))]
public sealed class GetAnytunControlServerCommand : AnytunCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ControlServerNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var session in ControlServerResolver.Resolve(this, Name))
        {
            WriteObject(session.ToOutput());
        }
    }
}
