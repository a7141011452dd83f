using System.Globalization;
using System.Management.Automation;
using Anytun.Engine;
using Anytun.Engine.Routing;
using Anytun.Engine.Runtime;

namespace Anytun;

/// <summary>
/// Base of the cmdlets that change a running tunnel's connections and routes through its control surface: output
/// objects, engine errors named by parameter, and the kernel-route messages.
/// </summary>
public abstract class TunnelControlCmdlet : AnytunCmdlet
{
    /// <summary>"connection 1 of tunnel 'srv'": the ShouldProcess target of a connection.</summary>
    internal static string ConnectionTarget(TunnelSession session, ushort mux) =>
        string.Create(CultureInfo.InvariantCulture, $"connection {mux} of tunnel '{session.Name}'");

    /// <summary>"route 10.50.0.0/16 of tunnel 'srv'": the ShouldProcess target of a route.</summary>
    internal static string RouteTarget(TunnelSession session, IPPrefix prefix) => $"route {prefix} of tunnel '{session.Name}'";

    /// <summary>An output object for <paramref name="snapshot"/> with the prefixes routed to it.</summary>
    internal static AnytunConnection ToOutput(TunnelSession session, ConnectionSnapshot snapshot)
    {
        var routes = new List<IPPrefix>();
        foreach (var route in session.Tunnel.Control.GetRoutes())
        {
            if (route.Mux == snapshot.Mux)
            {
                routes.Add(route.Prefix);
            }
        }

        return new AnytunConnection(session.Name, snapshot, routes);
    }

    /// <summary>An output object for <paramref name="entry"/>.</summary>
    internal static AnytunRoute ToOutput(TunnelSession session, RouteEntry entry) =>
        new(session.Name, entry, session.Tunnel.Control.GetConnection(entry.Mux), session.KernelRoutes.Contains(entry.Prefix));

    /// <summary>Non-terminating error for one item; engine messages name the cmdlet's parameters, not anytun's options.</summary>
    internal void WriteEngineError(AnytunException exception) =>
        WriteError(AnytunErrors.FromException(exception, parameterNames: true));

    /// <summary>Kernel routes that could not be added or removed are warnings: the tunnel's own tables did change.</summary>
    internal void WriteKernelRouteProblems(IEnumerable<string> problems)
    {
        foreach (var problem in problems)
        {
            WriteWarning(problem);
        }
    }
}
