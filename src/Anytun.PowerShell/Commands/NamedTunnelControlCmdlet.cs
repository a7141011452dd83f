using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Base of the control cmdlets that act on one running tunnel named by -TunnelName (mandatory, also taken from the
/// TunnelName property of piped connections and routes): declared once so it binds the same on each of them.
/// </summary>
public abstract class NamedTunnelControlCmdlet : TunnelControlCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    public string TunnelName { get; set; } = string.Empty;
}
