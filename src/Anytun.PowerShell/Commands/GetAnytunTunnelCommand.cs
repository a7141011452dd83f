using System.Management.Automation;

namespace Anytun;

/// <summary>Get-AnytunTunnel: the tunnels started in this process (all, or by name with wildcards).</summary>
[Cmdlet(VerbsCommon.Get, "AnytunTunnel")]
[OutputType(typeof(AnytunTunnel))]
public sealed class GetAnytunTunnelCommand : AnytunCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var session in TunnelResolver.Resolve(this, Name))
        {
            WriteObject(session.ToOutput());
        }
    }
}
