using System.Management.Automation;
using Anytun.Engine.Routing;

namespace Anytun;

/// <summary>Get-AnytunRoute: the routes of running tunnels (prefix, mux, the connection's remote, who added it).</summary>
[Cmdlet(VerbsCommon.Get, "AnytunRoute")]
[OutputType(typeof(AnytunRoute))]
public sealed class GetAnytunRouteCommand : TunnelControlCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    public string[]? TunnelName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? DestinationPrefix { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public ushort[]? Mux { get; set; }

    protected override void ProcessRecord()
    {
        var prefixes = DestinationPrefix is null ? null : new HashSet<IPPrefix>(PrefixParameters.ParseAll(this, DestinationPrefix, nameof(DestinationPrefix)));
        foreach (var session in TunnelResolver.Resolve(this, TunnelName))
        {
            foreach (var entry in session.Tunnel.Control.GetRoutes())
            {
                if ((prefixes is null || prefixes.Contains(entry.Prefix)) && (Mux is null || Array.IndexOf(Mux, entry.Mux) >= 0))
                {
                    WriteObject(ToOutput(session, entry));
                }
            }
        }
    }
}
